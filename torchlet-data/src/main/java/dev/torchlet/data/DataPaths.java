package dev.torchlet.data;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a dataset folder by name (e.g. "fashion-mnist"), looking in order at:
 * <ol>
 *   <li>an explicit path, if given (it must exist);</li>
 *   <li>{@code $TORCHLET_DATA/<name>};</li>
 *   <li>{@code <torchlet.home>/data/<name>} for the system property {@code torchlet.home} (the
 *       launcher's folder), then {@code data/<name>} in the working directory and each of its
 *       parents (so it works from the repo root and from a module folder);</li>
 *   <li>{@code /usr/share/datasets/<name>}.</li>
 * </ol>
 * If none exists the error lists every place looked at.
 */
public final class DataPaths {
    public static final String ENV = "TORCHLET_DATA";
    public static final String HOME_PROPERTY = "torchlet.home";
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets");

    private DataPaths() {}

    public static Path resolve(String name) throws FileNotFoundException {
        return resolve(null, name);
    }

    /** explicit may be null. */
    public static Path resolve(Path explicit, String name) throws FileNotFoundException {
        return resolve(
                explicit,
                name,
                System.getenv(ENV),
                System.getProperty(HOME_PROPERTY),
                Path.of("").toAbsolutePath(),
                SYSTEM_DIR);
    }

    /** The search with its inputs spelled out (for tests). */
    static Path resolve(Path explicit, String name, String envDir, String home, Path workingDir, Path systemDir)
            throws FileNotFoundException {
        if (explicit != null) {
            if (Files.exists(explicit)) {
                return explicit;
            }
            throw new FileNotFoundException("DataPaths: the given path " + explicit + " does not exist");
        }
        if (name == null || name.isBlank() || name.contains("..")) {
            throw new IllegalArgumentException("DataPaths: bad dataset name '" + name + "'");
        }
        List<Path> candidates = candidates(name, envDir, home, workingDir, systemDir);
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        StringBuilder sb = new StringBuilder("DataPaths: dataset '" + name + "' not found; looked in:");
        for (Path p : candidates) {
            sb.append("\n  ").append(p);
        }
        if (envDir == null) {
            sb.append("\n  ($" + ENV + " is not set)");
        }
        throw new FileNotFoundException(sb.toString());
    }

    static List<Path> candidates(String name, String envDir, String home, Path workingDir, Path systemDir) {
        List<Path> out = new ArrayList<>();
        if (envDir != null && !envDir.isBlank()) {
            out.add(Path.of(envDir).resolve(name));
        }
        if (home != null && !home.isBlank()) {
            out.add(Path.of(home).resolve("data").resolve(name));
        }
        for (Path dir = workingDir; dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("data").resolve(name);
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        out.add(systemDir.resolve(name));
        return out;
    }
}
