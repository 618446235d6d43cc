package dev.torchlet.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPathsTest {
    @Test
    void searchOrder(@TempDir Path tmp) throws Exception {
        Path env = Files.createDirectories(tmp.resolve("env/ds"));
        Path home = Files.createDirectories(tmp.resolve("home/data/ds"));
        Path work = Files.createDirectories(tmp.resolve("repo/data/ds"));
        Path module = Files.createDirectories(tmp.resolve("repo/module"));
        Path sys = Files.createDirectories(tmp.resolve("sys/ds"));
        assertEquals(
                env,
                DataPaths.resolve(
                        null,
                        "ds",
                        tmp.resolve("env").toString(),
                        tmp.resolve("home").toString(),
                        module,
                        tmp.resolve("sys")));
        assertEquals(
                home, DataPaths.resolve(null, "ds", null, tmp.resolve("home").toString(), module, tmp.resolve("sys")));
        assertEquals(work, DataPaths.resolve(null, "ds", null, null, module, tmp.resolve("sys")));
        assertEquals(
                sys,
                DataPaths.resolve(
                        null, "ds", null, null, Files.createDirectories(tmp.resolve("elsewhere")), tmp.resolve("sys")));
        assertEquals(tmp, DataPaths.resolve(tmp, "ignored", null, null, module, tmp.resolve("sys")));
        var e = assertThrows(
                FileNotFoundException.class,
                () -> DataPaths.resolve(null, "nope", null, null, module, tmp.resolve("sys")));
        assertTrue(e.getMessage().startsWith("DataPaths: dataset 'nope' not found; looked in:"), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("repo/data/nope").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("sys/nope").toString()), e.getMessage());
        assertThrows(
                FileNotFoundException.class,
                () -> DataPaths.resolve(tmp.resolve("missing"), "ds", null, null, module, sys));
    }

    @Test
    void findsTheRepoFashionMnist() throws Exception {
        // The test runs in torchlet-data/; the parent (the repo) has data/fashion-mnist.
        Path p = DataPaths.resolve("fashion-mnist");
        assertTrue(Files.exists(p.resolve("train-images-idx3-ubyte.gz")), p.toString());
    }
}
