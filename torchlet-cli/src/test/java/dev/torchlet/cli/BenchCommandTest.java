package dev.torchlet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Torch;
import dev.torchlet.cli.bench.AotCache;
import dev.torchlet.cli.bench.Timing;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void severalWorkloadsRunEachInItsOwnJvmInOrder() {
        int saved = Torch.getNumThreads();
        Run r = run(
                "bench",
                "--only",
                "conv3x3_64_56_b8_gflops,gemm1024_gflops",
                "--threads",
                "1",
                "--warmup-seconds",
                "0");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\\R");
        assertEquals(2, lines.length, r.out());
        // in the registry's order, like the baseline script
        assertTrue(lines[0].matches("gemm1024_gflops \\d+\\.\\d\\d GFLOP/s"), lines[0]);
        assertTrue(lines[1].matches("conv3x3_64_56_b8_gflops \\d+\\.\\d\\d GFLOP/s"), lines[1]);
        assertEquals(saved, Torch.getNumThreads(), "the children's --threads does not touch this JVM's pool");
    }

    /**
     * The launcher's set-up end to end, in a JVM of its own: the class path as jars (an AOT cache records jars, not
     * directories) and {@code -Dtorchlet.aot.dir}. The first run records the workload's cache, the second starts
     * from it; the output is the one result line both times.
     */
    @Test
    void aWorkloadRecordsItsAotCacheOnceThenStartsFromIt(@TempDir Path tmp) throws Exception {
        String classPath = JarredClassPath.of(tmp.resolve("jars"));
        Path aot = Files.createDirectories(tmp.resolve("aot"));
        for (int run = 0; run < 2; run++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(AotCache.inheritedJvmFlags().stream()
                    .filter(f -> !f.startsWith("-javaagent"))
                    .toList());
            cmd.addAll(List.of("-D" + AotCache.DIR_PROPERTY + "=" + aot, "-cp", classPath, Main.class.getName()));
            cmd.addAll(List.of("bench", "--only", "gemm1024_gflops", "--threads", "1", "--warmup-seconds", "0"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            // the JVM's note about the recording does not reach the output
            String result = out.lines().filter(l -> !l.startsWith("WARNING")).reduce("", (a, b) -> a + b + "\n");
            assertTrue(result.strip().matches("gemm1024_gflops \\d+\\.\\d\\d GFLOP/s"), out);
            try (var files = Files.list(aot)) {
                assertEquals(
                        List.of("bench-gemm1024_gflops.aot"),
                        files.map(f -> f.getFileName().toString()).toList(),
                        "run " + run + ": the cache, no recording or temporary file left");
            }
        }
    }

    @Test
    void gemmWorkloadPrintsNameValueUnit() {
        int saved = Torch.getNumThreads();
        try {
            Run r = run("bench", "--only", "gemm1024_gflops", "--threads", "1", "--warmup-seconds", "0");
            assertEquals(0, r.code(), r.err());
            String line = r.out().strip();
            assertTrue(line.matches("gemm1024_gflops \\d+\\.\\d\\d GFLOP/s"), line);
            assertTrue(Double.parseDouble(line.split(" ")[1]) > 0, line);
            assertEquals(1, Torch.getNumThreads(), "--threads sets the pool size");
        } finally {
            Torch.setNumThreads(saved);
        }
    }

    @Test
    void unknownWorkloadListsTheAvailableOnes() {
        Run r = run("bench", "--only", "gemm1024_gflops,resnet9000_ms");
        assertEquals(2, r.code());
        assertTrue(
                r.err().contains("unknown workload resnet9000_ms") && r.err().contains("available: gemm1024_gflops"),
                r.err());
        assertEquals("", r.out());
    }

    @Test
    void badThreadCountIsRejected() {
        Run r = run("bench", "--threads", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--threads must be at least 1, got 0"), r.err());
    }

    @Test
    void listShowsDefinitions() {
        Run r = run("bench", "--list");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gemm1024_gflops  1024x1024 @ 1024x1024 float32 matmul"), r.out());
    }

    @Test
    void timingIsTheMedianAfterWarmUp() {
        double saved = Timing.jitWarmUpSeconds();
        try {
            Timing.setJitWarmUpSeconds(0);
            int[] calls = {0};
            double t = Timing.median(() -> calls[0]++, 2, 5);
            assertEquals(7, calls[0], "2 warm-up + 5 timed runs");
            assertTrue(t >= 0);
            Timing.setJitWarmUpSeconds(0.05);
            calls[0] = 0;
            Timing.median(
                    () -> {
                        calls[0]++;
                        sleep(5);
                    },
                    2,
                    1);
            assertTrue(calls[0] >= 8, "0.05 s of 5 ms runs warms up ~10 times, got " + calls[0]);
        } finally {
            Timing.setJitWarmUpSeconds(saved);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
