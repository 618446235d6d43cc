package dev.torchlet.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writesReplacesAndCreatesParentFolders() throws IOException {
        Path target = dir.resolve("a/b/model.bin");
        AtomicFiles.writeBytes(target, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        AtomicFiles.write(target, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertEquals("new", Files.readString(target));
        assertEquals(List.of(target), files(target.getParent()), "no temporary file left behind");
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("checkpoint.safetensors");
        Files.writeString(target, "old");
        IOException e = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(target, out -> {
                    out.write("half of the new".getBytes(StandardCharsets.UTF_8));
                    throw new IOException("disk full");
                }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), files(dir));
        // a file body that checks what it wrote (a download's hash) and refuses it: same outcome
        assertThrows(
                IOException.class,
                () -> AtomicFiles.writeFile(target, tmp -> {
                    Files.writeString(tmp, "corrupt");
                    throw new IOException("hash mismatch");
                }));
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), files(dir));
    }

    /** Files.createTempFile's rw------- must not leak into checkpoints: a written file is like any new file. */
    @Test
    void writtenFilesAndFoldersGetTheUsualPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeBytes(atomic, new byte[] {1});
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));

        Path plainDir = Files.createDirectory(dir.resolve("plain-dir"));
        Path tmpDir = AtomicFiles.createSiblingDirectory(dir.resolve("run"));
        assertTrue(Files.isDirectory(tmpDir));
        assertEquals(dir, tmpDir.getParent());
        assertTrue(tmpDir.getFileName().toString().startsWith(".run."), tmpDir.toString());
        assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(tmpDir));
    }

    /** The io writers go through it: a safetensors file is readable like a plain new file. */
    @Test
    void safetensorsCheckpointsAreWrittenWithTheUsualPermissions() throws IOException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        Path st = dir.resolve("w.safetensors");
        SafeTensors.write(Map.of("w", dev.torchlet.Torch.ones(2, 3)), st);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(st));
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("plain"))
                    .sorted()
                    .toList();
        }
    }
}
