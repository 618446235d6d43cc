package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path src : modules.map(m -> m.resolve("src/main/java"))
                    .filter(Files::isDirectory)
                    .toList()) {
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                            .filter(p -> !p.getFileName().toString().equals("Simd.java"))
                            .toList()) {
                        List<String> lines = Files.readAllLines(f);
                        for (int i = 0; i < lines.size(); i++) {
                            String line = lines.get(i).strip();
                            if (line.startsWith("*") || line.startsWith("//")) {
                                continue;
                            }
                            if (OTHER_SPECIES.matcher(line).find()) {
                                offenders.add(root.relativize(f) + ":" + (i + 1) + ": " + line);
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "float vectors of another shape than Simd.FLOAT");
    }
}
