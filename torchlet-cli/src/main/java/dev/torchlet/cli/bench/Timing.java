package dev.torchlet.cli.bench;

import java.util.Arrays;

/**
 * The baselines' timing rule: untimed warm-up runs, then the median of {@code reps} timed runs.
 *
 * <p>Warm-up is at least 2 runs (the baselines' count) and, on top, as many runs as fit in
 * {@link #jitWarmUpSeconds()}: the JVM compiles the kernels during their first runs (a 1024 GEMM takes
 * ~0.7 s interpreted, then several runs in tiers), which is a one-time start-up cost, not throughput.
 * {@code torchlet bench --warmup-seconds 0} gives the strict 2-run rule.
 */
public final class Timing {
    private static volatile double jitWarmUpSeconds = 1.0;

    private Timing() {}

    public static double jitWarmUpSeconds() {
        return jitWarmUpSeconds;
    }

    public static void setJitWarmUpSeconds(double seconds) {
        if (!(seconds >= 0)) {
            throw new IllegalArgumentException("timing: warm-up seconds must be >= 0, got " + seconds);
        }
        jitWarmUpSeconds = seconds;
    }

    /** Median wall time in seconds of {@code reps} runs of body after at least {@code warm} warm-up runs. */
    public static double median(Runnable body, int warm, int reps) {
        if (reps < 1 || warm < 0) {
            throw new IllegalArgumentException(
                    "timing: need reps >= 1 and warm >= 0, got reps=" + reps + ", warm=" + warm);
        }
        for (int i = 0; i < warm; i++) {
            body.run();
        }
        // the JIT window starts after the counted runs: a first run slower than the window (a CNN step
        // runs ~2 s interpreted) must not use it all up
        long warmUntil = System.nanoTime() + (long) (jitWarmUpSeconds * 1e9);
        while (System.nanoTime() < warmUntil) {
            body.run();
        }
        double[] ts = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            ts[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(ts);
        return ts[reps / 2];
    }

    /** {@link #median(Runnable, int, int)} with the baselines' default of 2 warm-up runs. */
    public static double median(Runnable body, int reps) {
        return median(body, 2, reps);
    }
}
