package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path src : modules.map(m -> m.resolve("src/main/java"))
                    .filter(Files::isDirectory)
                    .toList()) {
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f :
                            files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        List<String> lines = Files.readAllLines(f);
                        for (int i = 0; i < lines.size(); i++) {
                            String line = lines.get(i).strip();
                            if (line.startsWith("*") || line.startsWith("//")) {
                                continue;
                            }
                            Matcher m = DIRECT_FORWARD.matcher(line);
                            while (m.find()) {
                                String receiver = m.group(1);
                                if (!receiver.equals("super") && !Character.isUpperCase(receiver.charAt(0))) {
                                    offenders.add(root.relativize(f) + ":" + (i + 1) + ": " + line);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "run modules with call(...) so their hooks fire");
    }
}
