package dev.torchlet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The code lines of every module's main sources ({@code <module>/src/main/java} under the repository root), for
 * tests that check a rule across the whole library. Comment lines (starting with {@code *} or {@code //}) are left
 * out. Fails when fewer than two modules are found, so that a scan from the wrong directory cannot pass empty.
 */
public final class MainSources {
    /** One line: the file relative to the repository root, its 1-based number and its stripped text. */
    public record Line(String file, int number, String text) {
        @Override
        public String toString() {
            return file + ":" + number + ": " + text;
        }
    }

    private MainSources() {}

    /** Every code line of the main sources, file by file in path order. */
    public static List<Line> codeLines() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Line> lines = new ArrayList<>();
        int modules = 0;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path src : dirs.map(m -> m.resolve("src/main/java"))
                    .filter(Files::isDirectory)
                    .sorted()
                    .toList()) {
                modules++;
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                            .sorted()
                            .toList()) {
                        List<String> text = Files.readAllLines(f);
                        for (int i = 0; i < text.size(); i++) {
                            String line = text.get(i).strip();
                            if (!line.startsWith("*") && !line.startsWith("//")) {
                                lines.add(new Line(root.relativize(f).toString(), i + 1, line));
                            }
                        }
                    }
                }
            }
        }
        if (modules < 2) {
            throw new IllegalStateException("expected the main sources of several modules under " + root);
        }
        return lines;
    }
}
