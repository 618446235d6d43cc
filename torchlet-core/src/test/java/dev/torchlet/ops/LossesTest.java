package dev.torchlet.ops;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * Cross-entropy and NLL against PyTorch goldens (golden/poolnorm): every reduction with class
 * weights, ignore_index and label smoothing (including PyTorch's mean rule for the smoothing term),
 * spatial (N, C, d1, d2) inputs, class-probability targets, and logit gradients. Tolerances:
 * atol 1e-5, rtol 1e-4.
 */
class LossesTest {
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-4;

    static Tensor g(String key) {
        return Golden.get("poolnorm", key);
    }

    static Tensor weightOrNull(String name) {
        return Golden.load("poolnorm").containsKey(name + "/weight") ? g(name + "/weight") : null;
    }

    private void checkCe(String name, long ignore, double smoothing, String reduction) {
        Tensor x = g(name + "/x").contiguousCopy().requiresGrad(true);
        Tensor y = Losses.crossEntropy(x, g(name + "/target"), weightOrNull(name), ignore, smoothing, reduction);
        assertClose(g(name + "/out"), y, ATOL, RTOL, name + " loss");
        PoolingTest.backward(y, name);
        assertClose(g(name + "/grad_x"), x.grad(), ATOL, RTOL, name + " grad");
    }

    @Test
    void crossEntropyMatchesPyTorch() {
        for (String red : new String[] {"mean", "sum", "none"}) {
            checkCe("ce_w_ls_" + red, 3, 0.1, red);
            checkCe("ce_ls_" + red, -100, 0.2, red);
        }
        checkCe("ce_plain", -100, 0.0, "mean");
        checkCe("ce_w_ignore", -100, 0.0, "mean");
        checkCe("ce_spatial", -100, 0.1, "mean");
        checkCe("ce_spatial_none", 2, 0.0, "none");
        Tensor plain = Losses.crossEntropy(g("ce_plain/x"), g("ce_plain/target"));
        assertClose(g("ce_plain/out"), plain, ATOL, RTOL, "two-argument cross entropy");
    }

    @Test
    void crossEntropyWithProbabilityTargets() {
        for (String red : new String[] {"mean", "none"}) {
            String name = "ce_prob_" + red;
            Tensor x = g(name + "/x").contiguousCopy().requiresGrad(true);
            Tensor t = g(name + "/target").contiguousCopy().requiresGrad(true);
            Tensor y = Losses.crossEntropy(x, t, g(name + "/weight"), Losses.IGNORE_INDEX, 0.15, red);
            assertClose(g(name + "/out"), y, ATOL, RTOL, name + " loss");
            PoolingTest.backward(y, name);
            assertClose(g(name + "/grad_x"), x.grad(), ATOL, RTOL, name + " grad x");
            assertClose(g(name + "/grad_target"), t.grad(), ATOL, RTOL, name + " grad target");
        }
    }

    @Test
    void nllLossMatchesPyTorch() {
        for (String red : new String[] {"mean", "sum", "none"}) {
            String name = "nll_" + red;
            Tensor x = g(name + "/x").contiguousCopy().requiresGrad(true);
            Tensor y = Losses.nllLoss(x, g(name + "/target"), g(name + "/weight"), 4, red);
            assertClose(g(name + "/out"), y, ATOL, RTOL, name + " loss");
            PoolingTest.backward(y, name);
            assertClose(g(name + "/grad_x"), x.grad(), ATOL, RTOL, name + " grad");
        }
    }

    @Test
    void unbatchedAndNonContiguousLogits() {
        Tensor x = g("ce_w_ls_none/x");
        Tensor t = g("ce_w_ls_none/target");
        Tensor w = g("ce_w_ls_none/weight");
        Tensor row = Losses.crossEntropy(x.select(0, 2), t.select(0, 2), w, 3, 0.1, "none");
        assertArrayEquals(new int[0], row.shape());
        assertClose(g("ce_w_ls_none/out").select(0, 2), row, ATOL, RTOL, "unbatched (C) input");
        Tensor strided = x.t().contiguousCopy().t();
        assertTrue(!strided.isContiguous());
        assertClose(
                g("ce_w_ls_none/out"),
                Losses.crossEntropy(strided, t, w, 3, 0.1, "none"),
                ATOL,
                RTOL,
                "transposed logits");
    }

    @Test
    void meanOverAllIgnoredTargetsIsNaNLikePyTorch() {
        Tensor y =
                Losses.crossEntropy(Torch.randn(2, 3), Torch.tensor(new long[] {-100, -100}, 2), null, -100, 0, "mean");
        assertTrue(Double.isNaN(y.item()));
    }

    private static Tensor randn64(int... shape) {
        return Torch.randn(shape).to(DType.FLOAT64).requiresGrad(true);
    }

    @Test
    void gradCheck() {
        Torch.manualSeed(5);
        Tensor t = Torch.tensor(new long[] {0, 3, 1, 2, 3}, 5);
        Tensor w = Torch.rand(4).add(0.3f).to(DType.FLOAT64);
        for (String red : new String[] {"mean", "sum", "none"}) {
            GradCheck.check("cross_entropy " + red, xs -> Losses.crossEntropy(xs[0], t, w, 2, 0.1, red), randn64(5, 4));
            GradCheck.check(
                    "cross_entropy no weight " + red,
                    xs -> Losses.crossEntropy(xs[0], t, null, 1, 0.25, red),
                    randn64(5, 4));
            GradCheck.check("nll_loss " + red, xs -> Losses.nllLoss(xs[0], t, w, 2, red), randn64(5, 4));
        }
        Tensor ts = Torch.tensor(new long[] {0, 2, 1, 1, 0, 2}, 2, 3);
        GradCheck.check(
                "cross_entropy spatial",
                xs -> Losses.crossEntropy(xs[0], ts, null, -100, 0.1, "mean"),
                randn64(2, 3, 3));
        GradCheck.check(
                "cross_entropy probabilities",
                xs -> Losses.crossEntropy(xs[0], xs[1], w, -100, 0.2, "mean"),
                randn64(3, 4),
                Torch.rand(3, 4).to(DType.FLOAT64).requiresGrad(true));
    }

    @Test
    void float64ReferencePathMatchesGolden() {
        Tensor y = Losses.crossEntropy(
                g("ce_w_ls_mean/x").to(DType.FLOAT64),
                g("ce_w_ls_mean/target"),
                g("ce_w_ls_mean/weight"),
                3,
                0.1,
                "mean");
        assertClose(g("ce_w_ls_mean/out"), y, ATOL, RTOL, "f64 cross entropy");
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        Tensor x = Torch.randn(4, 10);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Losses.crossEntropy(x, Torch.tensor(new long[] {1, 12, 0, 3}, 4)));
        assertTrue(e.getMessage().equals("cross_entropy: target 12 is out of bounds for 10 classes"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Losses.crossEntropy(x, Torch.tensor(new long[] {1, -1, 0, 3}, 4)));
        assertTrue(e.getMessage().contains("target -1 is out of bounds for 10 classes"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Losses.crossEntropy(x, Torch.tensor(new long[] {1, 2, 0}, 3)));
        assertTrue(
                e.getMessage().contains("cross_entropy: target shape [3] does not match input shape [4, 10]"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Losses.crossEntropy(x, Torch.zeros(DType.INT64, 4), Torch.ones(9), -100, 0, "mean"));
        assertTrue(e.getMessage().contains("expected weight of shape [10] (one per class), got [9]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Losses.crossEntropy(x, Torch.zeros(DType.INT64, 4), null, -100, 0, "avg"));
        assertTrue(e.getMessage().contains("reduction must be 'mean', 'sum' or 'none', got 'avg'"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Losses.crossEntropy(x, Torch.zeros(DType.INT64, 4), null, -100, 1.5, "mean"));
        assertTrue(e.getMessage().contains("label_smoothing must be in [0, 1], got 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(x, Torch.rand(4, 9)));
        assertTrue(
                e.getMessage().contains("class-probability target shape [4, 9] must equal the input shape [4, 10]"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Losses.nllLoss(x, Torch.tensor(new long[] {1, 2, 10, 3}, 4), null, -100, "mean"));
        assertTrue(e.getMessage().contains("nll_loss: target 10 is out of bounds for 10 classes"), e.getMessage());
    }
}
