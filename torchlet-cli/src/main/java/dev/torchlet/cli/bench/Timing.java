package dev.torchlet.cli.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The baselines' timing rule: untimed warm-up runs, then the median of {@code reps} timed runs.
 *
 * <p>Warm-up is at least 2 runs (the baselines' count) and, on top, runs for at least {@link #jitWarmUpSeconds()}
 * and then until the JIT has compiled nothing for half a second (at most 8 s more): the JVM compiles the kernels
 * during their first runs (a 1024 GEMM takes ~0.7 s interpreted, then several runs in tiers), which is a one-time
 * start-up cost, not throughput. {@code torchlet bench --warmup-seconds 0} gives the strict 2-run rule.
 */
public final class Timing {
    /** Warm-up ends once the JIT has been idle this long (after the minimum warm-up). */
    static final double JIT_QUIET_SECONDS = 0.5;
    /** Longest warm-up beyond the minimum while the JIT keeps compiling. */
    static final double MAX_EXTRA_WARM_UP_SECONDS = 8;

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
        warmUpWhileCompiling(body);
        double[] ts = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            ts[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(ts);
        return ts[reps / 2];
    }

    /**
     * Runs body for at least {@link #jitWarmUpSeconds()} and then until the JIT has compiled nothing for {@link
     * #JIT_QUIET_SECONDS} (at most {@link #MAX_EXTRA_WARM_UP_SECONDS} more): on two cores C2 compiles a training
     * step's kernels while the step itself runs on both, and a fixed second was often not enough (the LSTM step
     * timed 760-1110 seq/s across fresh JVMs after it; run after run in one JVM it settles at 1100-1500 from about
     * 7 s on). The window starts after the counted runs: a first run slower than the window (a CNN step runs ~2 s
     * interpreted) must not use it all up.
     */
    private static void warmUpWhileCompiling(Runnable body) {
        if (jitWarmUpSeconds == 0) {
            return; // the strict 2-run rule
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        LongSupplier compiledMillis = jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit::getTotalCompilationTime
                : () -> 0L; // no JIT clock: the minimum only
        warmUp(body, jitWarmUpSeconds, JIT_QUIET_SECONDS, MAX_EXTRA_WARM_UP_SECONDS, compiledMillis);
    }

    /**
     * Runs body until at least minSeconds have passed and compiledMillis (the JIT's total compile time) has not
     * changed for quietSeconds, or minSeconds + maxExtraSeconds have passed; returns the number of runs.
     */
    static int warmUp(
            Runnable body,
            double minSeconds,
            double quietSeconds,
            double maxExtraSeconds,
            LongSupplier compiledMillis) {
        long start = System.nanoTime();
        long minEnd = start + (long) (minSeconds * 1e9);
        long maxEnd = minEnd + (long) (maxExtraSeconds * 1e9);
        long quietNanos = (long) (quietSeconds * 1e9);
        long compiled = compiledMillis.getAsLong();
        long quietSince = start;
        int runs = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= maxEnd || (now >= minEnd && now - quietSince >= quietNanos)) {
                return runs;
            }
            body.run();
            runs++;
            long c = compiledMillis.getAsLong();
            if (c != compiled) {
                compiled = c;
                quietSince = System.nanoTime();
            }
        }
    }

    /** {@link #median(Runnable, int, int)} with the baselines' default of 2 warm-up runs. */
    public static double median(Runnable body, int reps) {
        return median(body, 2, reps);
    }
}
