package dev.torchlet.compress.kernels;

import dev.torchlet.kernels.ConvGeometry;
import dev.torchlet.kernels.ConvKernels;
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
 * torchlet-core/target/classes dev.torchlet.compress.kernels.Int8GemmBench [threads] [rounds] [full]
 * </pre>
 *
 * float32: {@code sgemm(false, false, m, n, k)}, A (m, k) @ B (k, n), B packed inside each call as the ops do;
 * int8: activations 0..127 (the fast path; "i8full" = 0..255, the exact slower path), weights prepacked once per
 * layer, activation packing inside each call. Then whole convolutions (see {@code convs}). Rounds interleave the
 * kernels; the median round is reported.
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
        System.out.printf(
                "threads=%d rounds=%d (GOPS = 2*m*n*k/s, %s; median of the rounds; best: ratio of the fastest"
                        + " rounds)%n",
                threads, rounds, threads == 1 ? "CPU time" : "fastest call");
        System.out.printf(
                "%-22s %9s %9s %9s %7s %7s%n",
                "m x n x k", "f32 GOPS", "i8 GOPS", full ? "i8full" : "", "i8/f32", "best");
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
            double best = max(ti) / max(tf);
            System.out.printf(
                    "%-22s %9.1f %9.1f %9s %6.2fx %6.2fx%n",
                    m + " x " + n + " x " + k, f, i, full ? String.format("%.1f", median(tw)) : "", i / f, best);
        }
        convs(rounds, r);
    }

    // n, cin, h, w, cout, k, stride, pad
    private static final int[][] CONVS = {
        {64, 1, 28, 28, 32, 3, 1, 1},
        {64, 32, 14, 14, 64, 3, 1, 1}, // Fashion-MNIST CNN at batch 64
        {1, 3, 224, 224, 64, 7, 2, 3},
        {1, 64, 56, 56, 64, 3, 1, 1},
        {1, 128, 28, 28, 128, 3, 1, 1},
        {1, 512, 7, 7, 512, 3, 1, 1},
        {1, 64, 56, 56, 128, 1, 2, 0}, // ResNet-18 at batch 1
    };

    /**
     * Whole convolutions: core's float32 ConvKernels.forward (no bias) vs Int8Conv2d + Requantize.toUint8Planar
     * (uint8 out, relu): what a quantized layer runs.
     */
    private static void convs(int rounds, Random r) {
        System.out.printf(
                "%n%-34s %9s %9s %7s %7s%n", "conv (n,cin,h,w)->cout kxk/s/p", "f32 GOPS", "i8 GOPS", "i8/f32", "best");
        for (int[] c : CONVS) {
            ConvGeometry g = ConvGeometry.of(c[0], c[1], c[2], c[3], c[4], c[5], c[5], c[6], c[6], c[7], c[7], 1, 1, 1);
            float[] in = new float[g.inputSize()];
            float[] w = new float[g.weightSize()];
            float[] out = new float[g.outputSize()];
            byte[] qin = new byte[g.inputSize()];
            byte[] qw = new byte[g.weightSize()];
            for (int i = 0; i < in.length; i++) {
                in[i] = r.nextFloat();
                qin[i] = (byte) r.nextInt(128);
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = r.nextFloat() - 0.5f;
                qw[i] = (byte) (r.nextInt(255) - 127);
            }
            PackedInt8Weights[] pw = Int8Conv2d.packWeights(g, qw);
            int[] rowSums = Int8Conv2d.rowSums(pw);
            float[] wScale = new float[g.cout()];
            Arrays.fill(wScale, 0.01f);
            int[] acc = new int[g.outputSize()];
            byte[] qout = new byte[g.outputSize()];
            long macs = g.flops() / 2;
            Runnable f32 = () -> ConvKernels.forward(g, in, 0, w, null, out);
            Runnable i8 = () -> {
                Int8Conv2d.conv2d(g, qin, 0, 3, pw, acc, 0);
                Requantize.toUint8Planar(
                        g.n(),
                        g.cout(),
                        g.outPixels(),
                        acc,
                        3,
                        0.02f,
                        rowSums,
                        wScale,
                        null,
                        0.05f,
                        0,
                        true,
                        255,
                        qout,
                        0);
            };
            double[] tf = new double[rounds];
            double[] ti = new double[rounds];
            for (int rd = -2; rd < rounds; rd++) {
                double x = gops(f32, macs);
                double y = gops(i8, macs);
                if (rd >= 0) {
                    tf[rd] = x;
                    ti[rd] = y;
                }
            }
            String name = "(" + c[0] + "," + c[1] + "," + c[2] + "," + c[3] + ")->" + c[4] + " " + c[5] + "x" + c[5]
                    + "/" + c[6] + "/" + c[7];
            System.out.printf(
                    "%-34s %9.1f %9.1f %6.2fx %6.2fx%n",
                    name, median(tf), median(ti), median(ti) / median(tf), max(ti) / max(tf));
        }
    }

    /**
     * Runs body for about 150 ms; GOPS. With one thread: the thread's CPU time over all calls, so that other
     * processes on this shared machine do not count. With more: the fastest single call (wall time), since a
     * parallel call lasts as long as its slowest thread and a busy machine delays one of them at random.
     */
    private static double gops(Runnable body, long macs) {
        boolean cpu = Parallel.numThreads() == 1;
        long t0 = cpu ? MX.getCurrentThreadCpuTime() : System.nanoTime();
        long it = 0;
        long el;
        long fastest = Long.MAX_VALUE;
        do {
            long c0 = System.nanoTime();
            body.run();
            fastest = Math.min(fastest, System.nanoTime() - c0);
            it++;
            el = (cpu ? MX.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
        } while (el < 150_000_000L);
        return cpu ? 2.0 * macs * it / el : 2.0 * macs / fastest;
    }

    private static final java.lang.management.ThreadMXBean MX =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private static double max(double[] x) {
        return Arrays.stream(x).max().orElse(0);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
