package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.kernels.SoftmaxKernels;
import dev.torchlet.kernels.SoftmaxReference;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * softmax / logSoftmax against PyTorch goldens (golden/indexing.safetensors, keys "softmax.*" and
 * "log_softmax.*"), float64 gradchecks, and the Vector API row kernels against their plain-loop
 * twins. Tolerances: float32 atol 1e-5, rtol 1e-4 (the usual f32 op tolerance: exp/log are
 * evaluated differently than in PyTorch); float64 atol 1e-12, rtol 1e-10.
 */
class SoftmaxTest {
    private static final String F = "indexing";

    private static Tensor g(String key) {
        return Golden.get(F, key);
    }

    private interface Op {
        Tensor apply(Tensor x, int dim);
    }

    private static void golden(String key, Op op, String node) {
        int[] dims = {0, 1, 2, -1, -2};
        for (int d : dims) {
            run(key + ".d" + d, x -> op.apply(x, d), node);
        }
        run(key + ".wide", x -> op.apply(x, 1), node);
        run(key + ".t", x -> op.apply(x.t(), -1), node);
        run(key + ".f64", x -> op.apply(x, 1), node);
        run(key + ".big", x -> op.apply(x, 0), node);
    }

    private static void run(String c, java.util.function.Function<Tensor, Tensor> f, String node) {
        Tensor x = g(c + ".x").clone().requiresGrad(true);
        Tensor out = f.apply(x);
        assertEquals(node, out.gradFn().name(), c);
        boolean f64 = x.dtype() == DType.FLOAT64;
        double atol = f64 ? 1e-12 : 1e-5;
        double rtol = f64 ? 1e-10 : 1e-4;
        Golden.assertClose(g(c + ".out"), out, atol, rtol, c + " forward");
        out.backward(g(c + ".g"));
        Golden.assertClose(g(c + ".gx"), x.grad(), atol, rtol, c + " grad");
    }

    @Test
    void softmaxMatchesPyTorch() {
        golden("softmax", Activations::softmax, "SoftmaxBackward0");
    }

    @Test
    void logSoftmaxMatchesPyTorch() {
        golden("log_softmax", Activations::logSoftmax, "LogSoftmaxBackward0");
    }

    @Test
    void gradcheckBothOpsOnEveryDim() {
        for (int d : new int[] {0, 1, 2, -1}) {
            GradCheck.check(
                    "softmax dim " + d,
                    x -> x[0].softmax(d),
                    Torch.randn(2, 3, 4).requiresGrad(true));
            GradCheck.check(
                    "logSoftmax dim " + d,
                    x -> x[0].logSoftmax(d),
                    Torch.randn(2, 3, 4).requiresGrad(true));
        }
        GradCheck.check(
                "softmax of transposed",
                x -> x[0].transpose(0, 2).softmax(-1),
                Torch.randn(5, 2, 3).requiresGrad(true));
        GradCheck.check(
                "logSoftmax of sliced",
                x -> x[0].slice(1, 0, 6, 2).logSoftmax(1),
                Torch.randn(3, 6).requiresGrad(true));
        GradCheck.check(
                "softmax chained with mul",
                x -> x[0].softmax(1).mul(x[0]),
                Torch.randn(3, 5).requiresGrad(true));
    }

    @Test
    void edgeCases() {
        assertEquals(1f, Torch.scalar(3f).softmax(0).item());
        assertEquals(0f, Torch.scalar(3f).logSoftmax(-1).item());
        assertArrayEquals(new int[] {0, 3}, Torch.zeros(0, 3).softmax(1).shape());
        assertArrayEquals(new int[] {2, 0}, Torch.zeros(2, 0).logSoftmax(1).shape());
        // a row of -inf has no defined softmax: NaN, as in PyTorch
        float inf = Float.NEGATIVE_INFINITY;
        float[] y = Torch.tensor(new float[] {inf, inf, 0, 1}, 2, 2).softmax(1).toFloatArray();
        assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1]));
        assertEquals(0.26894142f, y[2], 1e-7f);
        // -inf entries in an otherwise finite row get probability 0 (log-prob -inf)
        float[] ly = Torch.tensor(new float[] {inf, 0, 0}, 3).logSoftmax(0).toFloatArray();
        assertEquals(inf, ly[0]);
        assertEquals((float) -Math.log(2), ly[1], 1e-7f);
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Torch.arange(4).softmax(0));
        assertTrue(
                e.getMessage().contains("softmax")
                        && e.getMessage().contains("torch.int64")
                        && e.getMessage().contains("[4]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Torch.arange(4).logSoftmax(0));
        assertTrue(e.getMessage().contains("log_softmax"), e.getMessage());
        IndexOutOfBoundsException d = assertThrows(
                IndexOutOfBoundsException.class, () -> Torch.zeros(2, 3).softmax(2));
        assertTrue(d.getMessage().contains("softmax") && d.getMessage().contains("dim 2"), d.getMessage());
    }

    // ---------------------------------------------------------------- conformance: Vector API vs reference

    private static float[] random(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    private static void assertRowClose(float[] expected, float[] actual, int off, int n, String what) {
        for (int i = 0; i < n; i++) {
            float e = expected[off + i];
            float a = actual[off + i];
            boolean ok = e == a || Math.abs(a - e) <= 2e-6 + 1e-5 * Math.abs(e);
            assertTrue(ok, what + ": element " + i + " fast " + a + " vs reference " + e);
        }
    }

    /** Odd sizes (SIMD tails, 1-wide, exactly one vector, long rows) at non-zero offsets. */
    @Test
    void fastRowKernelsMatchReference() {
        SplittableRandom r = new SplittableRandom(42);
        int[] sizes = {1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 100, 257, 1000};
        for (boolean log : new boolean[] {false, true}) {
            for (int n : sizes) {
                for (double scale : new double[] {1, 30}) {
                    int off = 3;
                    String what = (log ? "logSoftmax" : "softmax") + " n=" + n + " scale=" + scale;
                    float[] x = random(r, n + off, scale);
                    float[] fast = new float[n + off];
                    float[] ref = new float[n + off];
                    SoftmaxKernels.rowForward(x, off, fast, off, n, log);
                    SoftmaxReference.rowForward(x, off, ref, off, n, log);
                    assertRowClose(ref, fast, off, n, what + " forward");

                    float[] gIn = random(r, n + off, 1);
                    float[] gFast = new float[n + off];
                    float[] gRef = new float[n + off];
                    SoftmaxKernels.rowBackward(ref, off, gIn, off, gFast, off, n, log);
                    SoftmaxReference.rowBackward(ref, off, gIn, off, gRef, off, n, log);
                    assertRowClose(gRef, gFast, off, n, what + " backward");
                }
            }
        }
    }

    /** The column path (softmax over a non-last dim) agrees with the row path on the transposed data. */
    @Test
    void columnPathMatchesRowPath() {
        Torch.manualSeed(7);
        Tensor x = Torch.randn(3, 37, 19);
        Tensor viaColumns = x.softmax(1);
        Tensor viaRows = x.transpose(1, 2).contiguous().softmax(2).transpose(1, 2);
        Golden.assertClose(viaRows, viaColumns, 1e-6, 1e-5, "softmax dim 1 vs last dim");
        Golden.assertClose(
                x.transpose(1, 2).contiguous().logSoftmax(2).transpose(1, 2),
                x.logSoftmax(1),
                1e-5,
                1e-5,
                "logSoftmax dim 1 vs last dim");
    }
}
