package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.testing.MainSources;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Float vector code in every module uses one species, {@link Simd#FLOAT}. The JDK's vector classes share their
 * type profiles across shapes: once the Transformer's dropout had run 256-bit float vectors, the direct convolution
 * compiled later in the same JVM ran every FMA through the Vector API's Java fallback (a U-Net training step 2.8x
 * slower, measured). Scans the main sources for another float species ({@code FloatVector.SPECIES_*} outside
 * {@code Simd}, {@code withShape}).
 */
class OneFloatSpeciesTest {
    private static final Pattern OTHER_SPECIES = Pattern.compile("FloatVector\\.SPECIES_|\\.withShape\\s*\\(");

    @Test
    void mainSourcesUseOnlyTheKernelsFloatSpecies() throws IOException {
        List<String> offenders = MainSources.codeLines().stream()
                .filter(line -> !line.file().endsWith("/Simd.java"))
                .filter(line -> OTHER_SPECIES.matcher(line.text()).find())
                .map(MainSources.Line::toString)
                .toList();
        assertEquals(List.of(), offenders, "float vectors of another shape than Simd.FLOAT");
    }
}
