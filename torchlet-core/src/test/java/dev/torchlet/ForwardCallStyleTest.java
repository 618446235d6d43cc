package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.testing.MainSources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Library code runs modules with {@code call}, never {@code forward}, so that forward hooks (and
 * feature extraction built on them) see every submodule. Scans the main sources of every Maven
 * module for {@code x.forward(...)} on a lower-case receiver (a module variable or a method
 * result); {@code super.forward} and static kernel entry points ({@code ConvDirect.forward}) are fine.
 */
class ForwardCallStyleTest {
    private static final Pattern DIRECT_FORWARD = Pattern.compile("([\\w)\\]]+)\\s*\\.\\s*forward\\s*\\(");

    @Test
    void libraryCodeCallsModulesThroughCall() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (MainSources.Line line : MainSources.codeLines()) {
            Matcher m = DIRECT_FORWARD.matcher(line.text());
            while (m.find()) {
                String receiver = m.group(1);
                if (!receiver.equals("super") && !Character.isUpperCase(receiver.charAt(0))) {
                    offenders.add(line.toString());
                }
            }
        }
        assertEquals(List.of(), offenders, "run modules with call(...) so their hooks fire");
    }
}
