package dev.torchlet.ops;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * Batch/layer/group norm against PyTorch goldens (golden/poolnorm): outputs, running stats after
 * a training step, eval mode, and input/weight/bias gradients. Tolerances: atol 1e-5, rtol 1e-4
 * (the f32 default) for outputs, running stats and gradients alike.
 */
class NormalizationTest {
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-4;
    static final double GATOL = 1e-5;
    static final double GRTOL = 1e-4;

    static Tensor g(String key) {
        return Golden.get("poolnorm", key);
    }

    static boolean has(String key) {
        return Golden.load("poolnorm").containsKey(key);
    }

    private void checkBatchNorm(String name, boolean training, double momentum) {
        Tensor x = g(name + "/x").contiguousCopy().requiresGrad(true);
        Tensor w = has(name + "/weight") ? g(name + "/weight").contiguousCopy().requiresGrad(true) : null;
        Tensor b = has(name + "/bias") ? g(name + "/bias").contiguousCopy().requiresGrad(true) : null;
        Tensor rm = g(name + "/running_mean").contiguousCopy();
        Tensor rv = g(name + "/running_var").contiguousCopy();
        Tensor y = Normalization.batchNorm(x, rm, rv, w, b, training, momentum, 1e-5);
        assertClose(g(name + "/out"), y, ATOL, RTOL, name + " out");
        assertClose(g(name + "/running_mean_after"), rm, ATOL, RTOL, name + " running mean");
        assertClose(g(name + "/running_var_after"), rv, ATOL, RTOL, name + " running var");
        PoolingTest.backward(y, name);
        assertClose(g(name + "/grad_x"), x.grad(), GATOL, GRTOL, name + " grad x");
        if (w != null) {
            assertClose(g(name + "/grad_weight"), w.grad(), GATOL, GRTOL, name + " grad weight");
            assertClose(g(name + "/grad_bias"), b.grad(), GATOL, GRTOL, name + " grad bias");
        }
    }

    /**
     * The one-pass batch norm + addend + clamp of a frozen network (channels-last, no gradient) gives the same bits as
     * the three ops, and the same running statistics; with a gradient (or NCHW) it is those ops.
     */
    @Test
    void batchNormAddClampedIsTheThreeOpsBitForBit() {
        for (boolean training : new boolean[] {true, false}) {
            for (boolean withAddend : new boolean[] {true, false}) {
                for (boolean channelsLast : new boolean[] {true, false}) {
                    Torch.manualSeed(21);
                    Tensor x = Torch.randn(2, 19, 5, 3); // 19 channels: a vector tail on any width
                    Tensor addend = withAddend ? Torch.randn(2, 19, 5, 3) : null;
                    Tensor w = Torch.rand(19);
                    Tensor b = Torch.randn(19);
                    if (channelsLast) {
                        x = x.contiguous(dev.torchlet.MemoryFormat.CHANNELS_LAST);
                    }
                    Tensor rm1 = Torch.randn(19);
                    Tensor rv1 = Torch.rand(19).add(0.5f);
                    Tensor rm2 = rm1.clone();
                    Tensor rv2 = rv1.clone();
                    Tensor want = Normalization.batchNorm(x, rm1, rv1, w, b, training, 0.1, 1e-5);
                    want = (addend == null ? want : want.add(addend)).clamp(-0.5f, 1.25f);
                    Tensor got = Normalization.batchNormAddClamped(
                            x, rm2, rv2, w, b, training, 0.1, 1e-5, addend, -0.5f, 1.25f);
                    String what = "training " + training + ", addend " + withAddend + ", channels-last " + channelsLast;
                    org.junit.jupiter.api.Assertions.assertArrayEquals(want.toFloatArray(), got.toFloatArray(), what);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(
                            rm1.toFloatArray(), rm2.toFloatArray(), what + ": running mean");
                    org.junit.jupiter.api.Assertions.assertArrayEquals(
                            rv1.toFloatArray(), rv2.toFloatArray(), what + ": running var");
                    assertTrue(!channelsLast || Ops.isChannelsLast(got), what + ": the layout is kept");
                }
            }
        }
        Tensor x = Torch.randn(2, 3, 4, 4).requiresGrad(true);
        Tensor y = Normalization.batchNormAddClamped(
                x, null, null, null, null, true, 0.1, 1e-5, Torch.ones(2, 3, 4, 4), 0f, Float.POSITIVE_INFINITY);
        y.sum().backward();
        assertTrue(x.grad() != null, "with a gradient the ops are recorded");
        assertThrows(
                IllegalArgumentException.class,
                () -> Normalization.batchNormAddClamped(
                        x, null, null, null, null, true, 0.1, 1e-5, Torch.ones(2, 3, 4), 0f, 1f));
    }

    @Test
    void batchNormMatchesPyTorch() {
        checkBatchNorm("bn2d_train", true, 0.1);
        checkBatchNorm("bn2d_eval", false, 0.1);
        checkBatchNorm("bn1d_train", true, 0.1);
        checkBatchNorm("bn1d_l_train", true, 0.3);
        checkBatchNorm("bn1d_eval", false, 0.1);
    }

    @Test
    void batchNormWithoutRunningStatsAndOnAStridedView() {
        Tensor x = g("bn2d_train/x");
        Tensor y =
                Normalization.batchNorm(x, null, null, g("bn2d_train/weight"), g("bn2d_train/bias"), true, 0.1, 1e-5);
        assertClose(g("bn2d_train/out"), y, ATOL, RTOL, "no running stats");
        Tensor strided = x.transpose(2, 3).contiguousCopy().transpose(2, 3);
        assertTrue(!strided.isContiguous());
        Tensor ys = Normalization.batchNorm(
                strided, null, null, g("bn2d_train/weight"), g("bn2d_train/bias"), true, 0.1, 1e-5);
        assertClose(g("bn2d_train/out"), ys, ATOL, RTOL, "strided input");
        // running stats held in a strided view are updated in place at the right elements
        Tensor holder = Torch.zeros(3, 2);
        Tensor rm = holder.select(1, 0);
        Tensor rv = holder.select(1, 1);
        Tensor init = g("bn2d_train/running_mean");
        for (int c = 0; c < 3; c++) {
            TensorInternals.storage(holder).floats()[2 * c] = (float) init.getDouble(c);
            TensorInternals.storage(holder).floats()[2 * c + 1] =
                    (float) g("bn2d_train/running_var").getDouble(c);
        }
        Normalization.batchNorm(x, rm, rv, null, null, true, 0.1, 1e-5);
        assertClose(g("bn2d_train/running_mean_after"), rm, ATOL, RTOL, "strided running mean");
        assertClose(g("bn2d_train/running_var_after"), rv, ATOL, RTOL, "strided running var");
    }

    @Test
    void layerNormMatchesPyTorch() {
        Tensor x = g("ln/x").contiguousCopy().requiresGrad(true);
        Tensor w = g("ln/weight").contiguousCopy().requiresGrad(true);
        Tensor b = g("ln/bias").contiguousCopy().requiresGrad(true);
        Tensor y = Normalization.layerNorm(x, new int[] {4, 5}, w, b, 1e-5);
        assertClose(g("ln/out"), y, ATOL, RTOL, "ln out");
        PoolingTest.backward(y, "ln");
        assertClose(g("ln/grad_x"), x.grad(), GATOL, GRTOL, "ln grad x");
        assertClose(g("ln/grad_weight"), w.grad(), GATOL, GRTOL, "ln grad weight");
        assertClose(g("ln/grad_bias"), b.grad(), GATOL, GRTOL, "ln grad bias");

        Tensor x2 = g("ln_noaffine/x").contiguousCopy().requiresGrad(true);
        Tensor y2 = Normalization.layerNorm(x2, new int[] {33}, null, null, 1e-5);
        assertClose(g("ln_noaffine/out"), y2, ATOL, RTOL, "ln no affine out");
        PoolingTest.backward(y2, "ln_noaffine");
        assertClose(g("ln_noaffine/grad_x"), x2.grad(), GATOL, GRTOL, "ln no affine grad x");
    }

    @Test
    void groupNormMatchesPyTorch() {
        Tensor x = g("gn/x").contiguousCopy().requiresGrad(true);
        Tensor w = g("gn/weight").contiguousCopy().requiresGrad(true);
        Tensor b = g("gn/bias").contiguousCopy().requiresGrad(true);
        Tensor y = Normalization.groupNorm(x, 3, w, b, 1e-5);
        assertClose(g("gn/out"), y, ATOL, RTOL, "gn out");
        PoolingTest.backward(y, "gn");
        assertClose(g("gn/grad_x"), x.grad(), GATOL, GRTOL, "gn grad x");
        assertClose(g("gn/grad_weight"), w.grad(), GATOL, GRTOL, "gn grad weight");
        assertClose(g("gn/grad_bias"), b.grad(), GATOL, GRTOL, "gn grad bias");
    }

    private static Tensor randn64(int... shape) {
        return Torch.randn(shape).to(DType.FLOAT64).requiresGrad(true);
    }

    @Test
    void gradCheck() {
        Torch.manualSeed(11);
        GradCheck.check(
                "batch_norm train",
                xs -> Normalization.batchNorm(xs[0], null, null, xs[1], xs[2], true, 0.1, 1e-5),
                randn64(3, 2, 2, 3),
                randn64(2),
                randn64(2));
        GradCheck.check(
                "batch_norm train (N, C)",
                xs -> Normalization.batchNorm(xs[0], null, null, xs[1], null, true, 0.1, 1e-5),
                randn64(5, 3),
                randn64(3));
        Tensor rm = Torch.randn(3).to(DType.FLOAT64);
        Tensor rv = Torch.rand(3).add(0.5f).to(DType.FLOAT64);
        GradCheck.check(
                "batch_norm eval",
                xs -> Normalization.batchNorm(xs[0], rm, rv, xs[1], xs[2], false, 0.1, 1e-5),
                randn64(2, 3, 4),
                randn64(3),
                randn64(3));
        GradCheck.check(
                "layer_norm",
                xs -> Normalization.layerNorm(xs[0], new int[] {2, 3}, xs[1], xs[2], 1e-5),
                randn64(2, 2, 3),
                randn64(2, 3),
                randn64(2, 3));
        GradCheck.check(
                "layer_norm no affine",
                xs -> Normalization.layerNorm(xs[0], new int[] {5}, null, null, 1e-5),
                randn64(3, 5));
        GradCheck.check(
                "group_norm",
                xs -> Normalization.groupNorm(xs[0], 2, xs[1], xs[2], 1e-5),
                randn64(2, 4, 3),
                randn64(4),
                randn64(4));
        GradCheck.check(
                "group_norm no affine", xs -> Normalization.groupNorm(xs[0], 3, null, null, 1e-5), randn64(2, 3, 2, 2));
    }

    @Test
    void float64ReferencePathMatchesGolden() {
        Tensor y = Normalization.batchNorm(
                g("bn2d_train/x").to(DType.FLOAT64),
                null,
                null,
                g("bn2d_train/weight"),
                g("bn2d_train/bias"),
                true,
                0.1,
                1e-5);
        assertClose(g("bn2d_train/out"), y, ATOL, RTOL, "f64 batch norm");
        Tensor gn = Normalization.groupNorm(g("gn/x").to(DType.FLOAT64), 3, g("gn/weight"), g("gn/bias"), 1e-5);
        assertClose(g("gn/out"), gn, ATOL, RTOL, "f64 group norm");
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        Tensor x = Torch.randn(4, 3, 2, 2);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Normalization.batchNorm(x, null, null, Torch.ones(4), null, true, 0.1, 1e-5));
        assertTrue(
                e.getMessage().contains("batch_norm: expected weight of shape [3] (one per channel), got [4]"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Normalization.batchNorm(x, null, null, null, null, false, 0.1, 1e-5));
        assertTrue(
                e.getMessage().contains("batch_norm: eval mode (training=false) needs running_mean"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Normalization.batchNorm(Torch.randn(1, 3), null, null, null, null, true, 0.1, 1e-5));
        assertTrue(e.getMessage().contains("expected more than 1 value per channel when training"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Normalization.layerNorm(x, new int[] {3, 3}, null, null, 1e-5));
        assertTrue(
                e.getMessage()
                        .contains("layer_norm: normalized shape [3, 3] must be a non-empty suffix of the "
                                + "input shape [4, 3, 2, 2]"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Normalization.layerNorm(x, new int[] {2}, Torch.ones(3), null, 1e-5));
        assertTrue(
                e.getMessage().contains("layer_norm: weight shape [3] must equal the normalized shape [2]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalization.groupNorm(x, 2, null, null, 1e-5));
        assertTrue(
                e.getMessage()
                        .contains("group_norm: expected the number of channels 3 to be divisible by " + "num_groups 2"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Normalization.batchNorm(Torch.zeros(DType.INT64, 2, 3), null, null, null, null, true, 0.1, 1e-5));
        assertTrue(e.getMessage().contains("batch_norm: expected a floating-point tensor"), e.getMessage());
    }
}
