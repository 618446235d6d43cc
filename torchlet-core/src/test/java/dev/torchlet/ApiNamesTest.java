package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No two public top-level classes of Torchlet share a simple name, so a user never needs a fully
 * qualified name to tell them apart (nn.Linear vs an op class, say). Scans the main source trees
 * ({@code <module>/src/main/java/dev/torchlet}) of every module under the repository root. Clashes
 * with the JDK (nn.Module vs java.lang.Module) are not Torchlet's to avoid and are not checked.
 */
class ApiNamesTest {
    /** A public type declared at the top level (no indentation) of a source file. */
    private static final Pattern PUBLIC_TOP_LEVEL = Pattern.compile(
            "^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*"
                    + "(?:class|interface|enum|record|@interface)\\s+(\\w+)",
            Pattern.MULTILINE);

    @Test
    void publicTopLevelClassesHaveUniqueSimpleNames() throws IOException {
        Path root = repositoryRoot();
        Map<String, List<String>> byName = new TreeMap<>();
        int modules = 0;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path module : dirs.sorted().toList()) {
                Path sources = module.resolve("src/main/java/dev/torchlet");
                if (!Files.isDirectory(sources)) {
                    continue;
                }
                modules++;
                try (Stream<Path> files = Files.walk(sources)) {
                    files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(f -> {
                        Matcher m = PUBLIC_TOP_LEVEL.matcher(read(f));
                        while (m.find()) {
                            byName.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                                    .add(root.relativize(f).toString());
                        }
                    });
                }
            }
        }
        assertTrue(
                modules >= 2, "expected the main source trees of several modules under " + root + ", found " + modules);
        assertTrue(byName.containsKey("Tensor"), "the scan found no Tensor class under " + root);
        StringBuilder clashes = new StringBuilder();
        byName.forEach((name, where) -> {
            if (where.size() > 1) {
                clashes.append("\n  ").append(name).append(": ").append(String.join(", ", where));
            }
        });
        if (!clashes.isEmpty()) {
            fail("public classes sharing a simple name (rename one side):" + clashes);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first directory upward from the working directory that holds torchlet-core/. */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("torchlet-core/src/main/java"))) {
                return p;
            }
        }
        throw new IllegalStateException("no torchlet-core/ above " + Path.of("").toAbsolutePath());
    }
}
