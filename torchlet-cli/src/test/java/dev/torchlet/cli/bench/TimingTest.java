package dev.torchlet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The JIT-aware warm-up: at least the minimum, longer while the JIT compiles, never beyond the cap. */
class TimingTest {
    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void stopsAfterTheMinimumWhenTheJitIsQuiet() {
        long t0 = System.nanoTime();
        int runs = Timing.warmUp(() -> sleep(5), 0.05, 0.02, 5, () -> 42L);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(runs >= 5, "0.05 s of 5 ms runs, got " + runs);
        assertTrue(seconds < 1, "a quiet JIT ends the warm-up at the minimum, took " + seconds + " s");
    }

    @Test
    void keepsWarmingWhileTheJitCompilesThenStopsWhenQuiet() {
        int[] calls = {0};
        long[] lastCompile = {0};
        // the "JIT" compiles during the first 30 runs, then is idle
        int runs = Timing.warmUp(
                () -> {
                    calls[0]++;
                    if (calls[0] <= 30) {
                        lastCompile[0] = System.nanoTime();
                    }
                    sleep(2);
                },
                0.01,
                0.05,
                5,
                () -> Math.min(calls[0], 30));
        double quietFor = (System.nanoTime() - lastCompile[0]) / 1e9;
        assertEquals(calls[0], runs);
        assertTrue(runs > 30, "warms up through the 30 compiling runs, got " + runs);
        assertTrue(quietFor >= 0.05 && quietFor < 2, "stops 0.05 s after the last compilation, " + quietFor + " s");
    }

    @Test
    void neverWarmsBeyondTheCap() {
        int[] calls = {0};
        long t0 = System.nanoTime();
        Timing.warmUp(
                () -> {
                    calls[0]++;
                    sleep(2);
                },
                0.02,
                0.05,
                0.1,
                () -> calls[0]); // compiles forever
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 0.12 && seconds < 1, "minimum 0.02 + cap 0.1 s, took " + seconds + " s");
    }
}
