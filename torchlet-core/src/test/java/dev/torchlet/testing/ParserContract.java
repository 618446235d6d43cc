package dev.torchlet.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The contract every file parser keeps on untrusted input, checked by the fuzz targets: it either
 * returns, or throws one of its documented exception types with a non-empty message. Anything
 * else fails the target and becomes a finding: OutOfMemoryError, StackOverflowError,
 * ArrayIndexOutOfBoundsException, NullPointerException, NegativeArraySizeException,
 * ClassCastException, an undocumented exception type, a blank message, or a file left behind
 * in the input's directory. (Hangs are caught by the fuzz tests' timeouts, classes loaded by
 * name from the input by Jazzer's own sanitizers.)
 *
 * <p>Inputs go to a scratch directory on a RAM disk when there is one ({@code /dev/shm}), one
 * per JVM, emptied before each input.
 */
public final class ParserContract {
    /** A parser call on the scratch files. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    /**
     * How long each target fuzzes inside {@code ./mvnw verify} (an annotation value, so a constant;
     * tools/fuzz/campaign.sh runs long campaigns through Jazzer's own driver instead).
     */
    public static final String FUZZ_DURATION = "5s";

    private static Path scratch;

    private ParserContract() {}

    /** The per-JVM scratch directory, emptied: the input's only files are the ones written after this. */
    public static synchronized Path freshDir() throws IOException {
        if (scratch == null) {
            Path shm = Path.of("/dev/shm");
            scratch = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "torchlet-fuzz-")
                    : Files.createTempDirectory("torchlet-fuzz-");
            Path dir = scratch;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    deleteContents(dir);
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // best effort: a leftover scratch directory in /dev/shm or /tmp is small
                }
            }));
        }
        deleteContents(scratch);
        return scratch;
    }

    /** Writes {@code bytes} as {@code relative} (parent folders created) in a fresh scratch directory. */
    public static Path file(String relative, byte[] bytes) throws IOException {
        Path p = freshDir().resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    /**
     * Runs {@code parse}; passes when it returns or throws an instance of one of {@code documented}
     * with a non-blank message, and when the scratch directory holds the same files afterwards.
     */
    @SafeVarargs
    public static void check(String parser, Parse parse, Class<? extends Exception>... documented) {
        List<Path> before = listing();
        try {
            parse.run();
        } catch (Throwable t) {
            boolean allowed = Arrays.stream(documented).anyMatch(c -> c.isInstance(t));
            if (!allowed) {
                throw new AssertionError(
                        parser + ": undocumented " + t.getClass().getName() + " (documented: "
                                + Arrays.stream(documented)
                                        .map(Class::getSimpleName)
                                        .toList() + "): " + t.getMessage(),
                        t);
            }
            if (t.getMessage() == null || t.getMessage().isBlank()) {
                throw new AssertionError(parser + ": " + t.getClass().getName() + " without a message", t);
            }
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                if (c instanceof Error) {
                    throw new AssertionError(
                            parser + ": an Error wrapped in " + t.getClass().getName(), t);
                }
            }
        }
        List<Path> after = listing();
        if (!after.equals(before)) {
            List<Path> added = new ArrayList<>(after);
            added.removeAll(before);
            throw new AssertionError(parser + ": side effect: files appeared while parsing: " + added);
        }
    }

    /** {@link #check} for parsers documented to throw IOException (and UncheckedIOException for lazy reads). */
    public static void checkIo(String parser, Parse parse) {
        check(parser, parse, IOException.class, UncheckedIOException.class);
    }

    private static List<Path> listing() {
        if (scratch == null) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(scratch)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteContents(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p :
                    s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }
}
