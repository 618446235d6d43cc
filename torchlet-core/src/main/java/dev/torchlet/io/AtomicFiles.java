package dev.torchlet.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files so that a reader (or a crash) sees either the old file or the whole new one: the content goes to a
 * temporary file in the target's folder, is forced to disk and renamed over the target. On any failure the
 * temporary file is deleted and an existing target is left as it was. Every Torchlet writer of checkpoints, weights,
 * exports, tokenizer files, feature tables and pictures goes through here.
 *
 * <p>The temporary file gets the permissions of a newly created file ({@code rw-rw-rw-} minus the process's umask,
 * usually {@code rw-r--r--}), not the owner-only {@code rw-------} of {@link Files#createTempFile}: a checkpoint
 * written by a training job must stay readable by a server that runs under another account.
 */
public final class AtomicFiles {
    private static final Set<PosixFilePermission> NEW_FILE = PosixFilePermissions.fromString("rw-rw-rw-");
    private static final Set<PosixFilePermission> NEW_DIRECTORY = PosixFilePermissions.fromString("rwxrwxrwx");

    private AtomicFiles() {}

    /** Writes a file's content to a stream (closing it is allowed). */
    @FunctionalInterface
    public interface StreamBody {
        void write(OutputStream out) throws IOException;
    }

    /** Fills the temporary file at the given path by any means (a channel, ImageIO, a download). */
    @FunctionalInterface
    public interface FileBody {
        void write(Path tmp) throws IOException;
    }

    /** Replaces {@code target} by the bytes. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Replaces {@code target} by what {@code body} writes to the stream. */
    public static void write(Path target, StreamBody body) throws IOException {
        writeFile(target, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(out);
            }
        });
    }

    /**
     * Replaces {@code target} by the file {@code body} writes at the temporary path it is given. The body may check
     * what it wrote (a hash, say) and throw: then nothing is replaced. Parent folders are created.
     */
    public static void writeFile(Path target, FileBody body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = createSibling(abs, false);
        try {
            body.write(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true); // the data is on disk before the rename makes it visible
            }
            moveIntoPlace(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new, empty folder next to {@code target} (same parent, a hidden name derived from it) with the permissions
     * of a newly created folder, for writers that build a whole folder and then rename it into place.
     */
    public static Path createSiblingDirectory(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        return createSibling(abs, true);
    }

    /** Renames {@code tmp} over {@code target}, atomically where the file system can. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Creates ".NAME.RANDOM.tmp" beside abs with the JDK's temp-file helpers, but with new-file permissions: given
     * explicit permissions they are used (minus the umask) instead of the owner-only default.
     */
    private static Path createSibling(Path abs, boolean directory) throws IOException {
        Path dir = abs.getParent();
        String prefix = "." + abs.getFileName() + ".";
        boolean posix = abs.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (directory) {
            return posix
                    ? Files.createTempDirectory(dir, prefix, attribute(NEW_DIRECTORY))
                    : Files.createTempDirectory(dir, prefix);
        }
        return posix
                ? Files.createTempFile(dir, prefix, ".tmp", attribute(NEW_FILE))
                : Files.createTempFile(dir, prefix, ".tmp");
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
        return PosixFilePermissions.asFileAttribute(permissions);
    }
}
