package dev.torchlet.cli.bench;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The ahead-of-time cache of one benchmark workload's JVM (JDK 25, JEPs 483/514/515), as the launcher keeps one
 * per command: the workload's first run records the classes it loads, one short JVM then assembles
 * {@code <dir>/bench-<workload>.aot}, and later runs start from it. (With the Vector API's incubator module in the
 * boot layer, JDK 25 stores no linked classes or method profiles in it.) The launcher names the directory with
 * {@code -Dtorchlet.aot.dir} (absent: no caches, e.g. with {@code TORCHLET_AOT=0}).
 */
public final class AotCache {
    /** The system property with the cache directory. */
    public static final String DIR_PROPERTY = "torchlet.aot.dir";

    private static final List<String> QUIET = List.of("-Xlog:aot*=off", "-Xlog:cds*=off");

    private final Path cache;
    private final Path recording;

    private AotCache(Path cache, Path recording) {
        this.cache = cache;
        this.recording = recording;
    }

    /**
     * The cache of a workload, or null when caches are off or this JVM's class path has directories (an AOT cache
     * records jar files only: run from the packaged jars, as the launcher does, not from target/classes).
     */
    public static AotCache forWorkload(String workload) {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null || dir.isBlank() || !jarsOnly(System.getProperty("java.class.path", ""))) {
            return null;
        }
        Path d = Path.of(dir);
        return new AotCache(
                d.resolve("bench-" + workload + ".aot"),
                d.resolve("bench-" + workload + "." + ProcessHandle.current().pid() + ".conf"));
    }

    /** Whether the next run records (no cache yet) rather than uses the cache. */
    public boolean recording() {
        return !Files.isRegularFile(cache);
    }

    /** JVM flags of the workload's run: use the cache, or record one. */
    public List<String> runFlags() {
        List<String> flags = new ArrayList<>();
        if (recording()) {
            flags.add("-XX:AOTMode=record");
            flags.add("-XX:AOTConfiguration=" + recording);
        } else {
            flags.add("-XX:AOTCache=" + cache);
        }
        flags.addAll(QUIET);
        return flags;
    }

    /**
     * After a recording run: assembles the cache from the recording (same JVM flags and class path), written
     * atomically; a failure leaves no cache and is reported, the benchmark result stands.
     */
    public void finish(String java, List<String> jvmFlags, String classPath) {
        if (!Files.isRegularFile(recording)) {
            return;
        }
        Path tmp = cache.resolveSibling(
                cache.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of(
                "-XX:AOTMode=create", "-XX:AOTConfiguration=" + recording, "-XX:AOTCache=" + tmp, "-cp", classPath));
        cmd.addAll(QUIET);
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor() == 0 && Files.isRegularFile(tmp)) {
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                System.err.println("bench: could not create the AOT cache " + cache + " (exit " + p.exitValue() + ")");
            }
        } catch (IOException e) {
            System.err.println("bench: could not create the AOT cache " + cache + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(recording);
            } catch (IOException e) {
                // leftovers in target/run/aot are removed with the next rebuild
            }
        }
    }

    private static boolean jarsOnly(String classPath) {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isDirectory(Path.of(entry))) {
                return false;
            }
        }
        return true;
    }

    /** This JVM's flags without the AOT ones (a child chooses its own). */
    public static List<String> inheritedJvmFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-XX:AOT") && !a.startsWith("-Xlog:aot") && !a.startsWith("-Xlog:cds"))
                .toList();
    }

    /** Whether a line of a child's standard output is the JVM's own note about a recording. */
    public static boolean isJvmNote(String line) {
        return line.strip().startsWith("AOTConfiguration recorded:");
    }
}
