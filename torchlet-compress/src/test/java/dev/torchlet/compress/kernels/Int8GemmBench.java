package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.GemmKernels;
import dev.torchlet.kernels.Parallel;
import java.util.Arrays;
import java.util.Random;

/**
 * Timing harness (not a test): Int8Gemm vs core's float32 sgemm on the same (m, n, k), GOPS = 2*m*n*k / time.
 *
 * <pre>
 * ./mvnw -q -o -pl torchlet-compress -am test-compile
 * java --add-modules jdk.incubator.vector -cp torchlet-compress/target/test-classes:torchlet-compress/target/classes:\
 * torchlet-core/target/classes dev.torchlet.compress.kernels.Int8GemmBench [threads] [rounds]
 * </pre>
 *
 * float32: {@code sgemm(false, false, m, n, k)}, A (m, k) @ B (k, n), B packed inside each call as the ops do;
 * int8: activations 0..127 (the fast path; "i8full" = 0..255, the exact slower path), weights prepacked once per
 * layer, activation packing inside each call. Rounds interleave the kernels; the median round is reported.
 */
public final class Int8GemmBench {
    private Int8GemmBench() {}

    private static final int[][] SHAPES = {
        // Fashion-MNIST CNN at batch 64 (convs as im2col GEMMs) and its Linear
        {64 * 28 * 28, 32, 9},
        {64 * 14 * 14, 64, 288},
        {64, 128, 3136},
        // ResNet-18 3x3 convs at batch 1
        {56 * 56, 64, 576},
        {28 * 28, 128, 1152},
        {7 * 7, 512, 4608},
        // LSTM / Linear dynamic quantization
        {1, 1024, 256},
        {1, 1024, 512},
        {8, 1024, 256},
        {16, 1024, 512},
        {64, 1024, 256},
        {64, 1024, 512},
    };

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        boolean full = args.length > 2 && args[2].equals("full");
        Parallel.setNumThreads(threads);
        System.out.printf("threads=%d rounds=%d (median of rounds; GOPS = 2*m*n*k/s)%n", threads, rounds);
        System.out.printf(
                "%-22s %9s %9s %9s %7s%n", "m x n x k", "f32 GOPS", "i8 GOPS", full ? "i8full" : "", "i8/f32");
        Random r = new Random(1);
        for (int[] s : SHAPES) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            float[] af = new float[m * k];
            float[] bf = new float[k * n];
            float[] cf = new float[m * n];
            byte[] a = new byte[m * k];
            byte[] aFull = new byte[m * k];
            byte[] w = new byte[n * k];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) r.nextInt(128);
                aFull[i] = (byte) r.nextInt(256);
                af[i] = r.nextFloat();
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) (r.nextInt(255) - 127);
                bf[i] = r.nextFloat() - 0.5f;
            }
            PackedInt8Weights pw = PackedInt8Weights.pack(w, n, k);
            int[] acc = new int[m * n];
            long macs = (long) m * n * k;
            Runnable f32 = () -> GemmKernels.sgemm(false, false, m, n, k, 1f, af, 0, k, bf, 0, n, 0f, cf, 0, n);
            Runnable i8 = () -> Int8Gemm.gemm(m, a, 0, pw, acc);
            Runnable i8f = () -> Int8Gemm.gemm(m, aFull, 0, pw, acc);
            double[] tf = new double[rounds];
            double[] ti = new double[rounds];
            double[] tw = new double[rounds];
            for (int rd = -2; rd < rounds; rd++) { // two warm-up rounds
                double x = gops(f32, macs);
                double y = gops(i8, macs);
                double z = full ? gops(i8f, macs) : 0;
                if (rd >= 0) {
                    tf[rd] = x;
                    ti[rd] = y;
                    tw[rd] = z;
                }
            }
            double f = median(tf);
            double i = median(ti);
            System.out.printf(
                    "%-22s %9.1f %9.1f %9s %6.2fx%n",
                    m + " x " + n + " x " + k, f, i, full ? String.format("%.1f", median(tw)) : "", i / f);
        }
    }

    /** Runs body for about 150 ms; GOPS. */
    private static double gops(Runnable body, long macs) {
        long t0 = System.nanoTime();
        long it = 0;
        long el;
        do {
            body.run();
            it++;
            el = System.nanoTime() - t0;
        } while (el < 150_000_000L);
        return 2.0 * macs * it / el;
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
