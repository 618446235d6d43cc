package dev.torchlet.cli.bench;

import java.util.Arrays;

/** The baselines' timing rule: {@code warm} untimed runs, then the median of {@code reps} timed runs. */
public final class Timing {
    private Timing() {}

    /** Median wall time in seconds of {@code reps} runs of body after {@code warm} warm-up runs. */
    public static double median(Runnable body, int warm, int reps) {
        if (reps < 1 || warm < 0) {
            throw new IllegalArgumentException("timing: need reps >= 1 and warm >= 0, got reps=" + reps
                    + ", warm=" + warm);
        }
        for (int i = 0; i < warm; i++) {
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
