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
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Pooling against PyTorch goldens (golden/poolnorm, tools/golden/gen_poolnorm.py): outputs,
 * indices (exact) and input gradients. Tolerances: atol 1e-5, rtol 1e-4 (f32 sums of a few values).
 */
class PoolingTest {
    static final String FILE = "poolnorm";
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-4;

    static Tensor g(String key) {
        return Golden.get(FILE, key);
    }

    static Tensor input(String name) {
        return g(name + "/x").contiguousCopy().requiresGrad(true);
    }

    /** Backward of sum(y * gy) with the fixture's gy (or of y itself when it is a scalar). */
    static void backward(Tensor y, String name) {
        if (y.dim() == 0) {
            y.backward();
        } else {
            y.backward(g(name + "/gy"));
        }
    }

    private void checkMax2d(String name, int[] k, int[] s, int[] p, int[] d, boolean ceil) {
        Tensor x = input(name);
        Tensor.ValuesIndices r = Pooling.maxPool2dWithIndices(x, k, s, p, d, ceil);
        assertClose(g(name + "/out"), r.values(), 0, 0, name + " out");
        assertArrayEquals(g(name + "/indices").toLongArray(), r.indices().toLongArray(), name + " indices");
        assertArrayEquals(g(name + "/indices").shape(), r.indices().shape(), name + " indices shape");
        backward(r.values(), name);
        assertClose(g(name + "/grad_x"), x.grad(), ATOL, RTOL, name + " grad");
        // the values-only entry point gives the same values and gradient
        Tensor x2 = input(name);
        Tensor y2 = Pooling.maxPool2d(x2, k, s, p, d, ceil);
        assertClose(g(name + "/out"), y2, 0, 0, name + " out (values only)");
        backward(y2, name);
        assertClose(g(name + "/grad_x"), x2.grad(), ATOL, RTOL, name + " grad (values only)");
    }

    @Test
    void maxPool2dMatchesPyTorch() {
        checkMax2d("maxpool2d_odd", new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, true);
        checkMax2d("maxpool2d_resnet", new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, false);
        checkMax2d("maxpool2d_2", new int[] {2}, null, new int[] {0}, new int[] {1}, false);
        checkMax2d("maxpool2d_unbatched", new int[] {2}, new int[] {1}, new int[] {1}, new int[] {1}, true);
        Tensor x = input("maxpool2d_2");
        assertClose(g("maxpool2d_2/out"), Pooling.maxPool2d(x, 2), 0, 0, "maxPool2d(x, 2)");
    }

    @Test
    void maxPool1dMatchesPyTorch() {
        Tensor x = input("maxpool1d");
        Tensor.ValuesIndices r = Pooling.maxPool1dWithIndices(x, 3, 2, 1, 2, true);
        assertClose(g("maxpool1d/out"), r.values(), 0, 0, "maxpool1d out");
        assertArrayEquals(g("maxpool1d/indices").toLongArray(), r.indices().toLongArray(), "maxpool1d indices");
        backward(r.values(), "maxpool1d");
        assertClose(g("maxpool1d/grad_x"), x.grad(), ATOL, RTOL, "maxpool1d grad");
        // unbatched (C, L)
        Tensor y = Pooling.maxPool1d(g("maxpool1d/x").select(0, 1), 3, 2, 1, 2, true);
        assertClose(g("maxpool1d/out").select(0, 1), y, 0, 0, "maxpool1d unbatched");
    }

    @Test
    void avgPool2dMatchesPyTorch() {
        for (String name : new String[] {"avgpool2d_incl", "avgpool2d_excl"}) {
            Tensor x = input(name);
            Tensor y = Pooling.avgPool2d(x, new int[] {3}, new int[] {2}, new int[] {1}, true, name.endsWith("incl"));
            assertClose(g(name + "/out"), y, ATOL, RTOL, name + " out");
            backward(y, name);
            assertClose(g(name + "/grad_x"), x.grad(), ATOL, RTOL, name + " grad");
        }
        Tensor x = input("avgpool2d_rect");
        Tensor y = Pooling.avgPool2d(x, new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 0}, false, true);
        assertClose(g("avgpool2d_rect/out"), y, ATOL, RTOL, "avgpool2d_rect out");
        backward(y, "avgpool2d_rect");
        assertClose(g("avgpool2d_rect/grad_x"), x.grad(), ATOL, RTOL, "avgpool2d_rect grad");
    }

    @Test
    void adaptivePoolingMatchesPyTorch() {
        String[] names = {"adaptiveavg", "adaptiveavg_1x1", "adaptiveavg_up"};
        int[][] sizes = {{3, 4}, {1, 1}, {4, 7}};
        for (int i = 0; i < names.length; i++) {
            Tensor x = input(names[i]);
            Tensor y = Pooling.adaptiveAvgPool2d(x, sizes[i][0], sizes[i][1]);
            assertClose(g(names[i] + "/out"), y, ATOL, RTOL, names[i] + " out");
            backward(y, names[i]);
            assertClose(g(names[i] + "/grad_x"), x.grad(), ATOL, RTOL, names[i] + " grad");
        }
        Tensor x = input("adaptivemax");
        Tensor.ValuesIndices r = Pooling.adaptiveMaxPool2dWithIndices(x, 3, 4);
        assertClose(g("adaptivemax/out"), r.values(), 0, 0, "adaptivemax out");
        assertArrayEquals(g("adaptivemax/indices").toLongArray(), r.indices().toLongArray(), "adaptivemax indices");
        backward(r.values(), "adaptivemax");
        assertClose(g("adaptivemax/grad_x"), x.grad(), ATOL, RTOL, "adaptivemax grad");
        assertClose(g("adaptivemax/out"), Pooling.adaptiveMaxPool2d(g("adaptivemax/x"), 3, 4), 0, 0, "values only");
    }

    @Test
    void nonContiguousInputsGiveTheSameResults() {
        // a transposed view (N, C, W, H) -> transpose back gives a strided (N, C, H, W) view
        Tensor base = g("maxpool2d_resnet/x");
        Tensor strided = base.transpose(2, 3).contiguousCopy().transpose(2, 3);
        assertTrue(!strided.isContiguous());
        assertClose(
                Pooling.maxPool2d(base, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, false),
                Pooling.maxPool2d(strided, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1}, false),
                0,
                0,
                "max pool on a transposed view");
        Tensor sliced = g("avgpool2d_incl/x").slice(1, 0, 3, 2); // channels 0 and 2
        Tensor expect =
                Pooling.avgPool2d(sliced.contiguousCopy(), new int[] {3}, new int[] {2}, new int[] {1}, true, true);
        assertClose(
                expect,
                Pooling.avgPool2d(sliced, new int[] {3}, new int[] {2}, new int[] {1}, true, true),
                0,
                0,
                "avg pool on a sliced view");
        assertClose(g("avgpool2d_incl/out").slice(1, 0, 3, 2), expect, ATOL, RTOL, "sliced vs golden");
        // gradient reaches the base of a strided view
        Tensor leaf = base.transpose(2, 3).contiguousCopy().requiresGrad(true);
        Pooling.adaptiveAvgPool2d(leaf.transpose(2, 3), 2, 3).sum().backward();
        Tensor leaf2 = base.contiguousCopy().requiresGrad(true);
        Pooling.adaptiveAvgPool2d(leaf2, 2, 3).sum().backward();
        assertClose(leaf2.grad().transpose(2, 3), leaf.grad(), 1e-6, 0, "grad through a transposed view");
    }

    @Test
    void graphOnlyWhenInputRequiresGrad() {
        Tensor x = g("maxpool2d_2/x");
        Tensor y = Pooling.maxPool2d(x, 2);
        assertTrue(y.isLeaf(), "no graph without requiresGrad");
        Tensor.ValuesIndices r =
                Pooling.maxPool2dWithIndices(x, new int[] {2}, null, new int[] {0}, new int[] {1}, false);
        assertArrayEquals(g("maxpool2d_2/indices").toLongArray(), r.indices().toLongArray(), "indices without grad");
        Tensor z = Pooling.maxPool2d(input("maxpool2d_2"), 2);
        assertTrue(z.gradFn() != null && z.gradFn().name().equals("MaxPool2DWithIndicesBackward0"));
    }

    @Test
    void nanPropagatesLikePyTorch() {
        Tensor x = Torch.tensor(new float[] {1, Float.NaN, 3, 4, 5, 6, 7, 8}, 1, 1, 2, 4);
        Tensor.ValuesIndices r =
                Pooling.maxPool2dWithIndices(x, new int[] {2}, null, new int[] {0}, new int[] {1}, false);
        assertTrue(Float.isNaN(r.values().toFloatArray()[0]));
        assertArrayEquals(new long[] {1, 7}, r.indices().toLongArray());
    }

    private static Tensor randn64(int... shape) {
        return Torch.randn(shape).to(DType.FLOAT64).requiresGrad(true);
    }

    @Test
    void gradCheck() {
        Torch.manualSeed(7);
        GradCheck.check(
                "max_pool2d",
                xs -> Pooling.maxPool2d(
                        xs[0], new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, true),
                randn64(2, 2, 5, 6));
        GradCheck.check("max_pool1d", xs -> Pooling.maxPool1d(xs[0], 2, 1, 1, 1, false), randn64(2, 3, 5));
        GradCheck.check(
                "avg_pool2d incl",
                xs -> Pooling.avgPool2d(xs[0], new int[] {3}, new int[] {2}, new int[] {1}, true, true),
                randn64(1, 2, 5, 6));
        GradCheck.check(
                "avg_pool2d excl",
                xs -> Pooling.avgPool2d(xs[0], new int[] {2, 3}, new int[] {1, 2}, new int[] {1, 1}, true, false),
                randn64(2, 1, 4, 5));
        GradCheck.check("adaptive_avg_pool2d", xs -> Pooling.adaptiveAvgPool2d(xs[0], 3, 2), randn64(2, 2, 5, 7));
        GradCheck.check("adaptive_max_pool2d", xs -> Pooling.adaptiveMaxPool2d(xs[0], 2, 3), randn64(1, 2, 5, 7));
        Function<Tensor[], Tensor> unbatched = xs -> Pooling.maxPool2d(xs[0], 2);
        GradCheck.check("max_pool2d unbatched", unbatched, randn64(3, 4, 4));
    }

    @Test
    void float64ReferencePathMatchesGolden() {
        Tensor x = g("maxpool2d_odd/x").to(DType.FLOAT64);
        Tensor y = Pooling.maxPool2d(x, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, true);
        assertClose(g("maxpool2d_odd/out"), y, 0, 0, "f64 max pool");
        Tensor a = Pooling.avgPool2d(
                g("avgpool2d_excl/x").to(DType.FLOAT64), new int[] {3}, new int[] {2}, new int[] {1}, true, false);
        assertClose(g("avgpool2d_excl/out"), a, ATOL, RTOL, "f64 avg pool");
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        Tensor x = Torch.randn(1, 1, 3, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> Pooling.maxPool2d(x, 5));
        assertTrue(e.getMessage().startsWith("max_pool2d: kernel 5 is larger than padded input 3x3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pooling.maxPool2d(Torch.randn(3, 3), 2));
        assertTrue(
                e.getMessage()
                        .contains("max_pool2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                                + "shape [3, 3]"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Pooling.maxPool2d(x, new int[] {3}, null, new int[] {2}, new int[] {1}, false));
        assertTrue(
                e.getMessage().contains("padding 2 must be non-negative and at most half of kernel 3"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Pooling.avgPool2d(x, new int[] {2}, new int[] {0}, new int[] {0}, false, true));
        assertTrue(e.getMessage().contains("avg_pool2d: stride must be positive, got 0"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Pooling.maxPool2d(x, new int[] {2, 2, 2}, null, new int[] {0}, new int[] {1}, false));
        assertTrue(e.getMessage().contains("kernel must have 1 or 2 entries, got [2, 2, 2]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Pooling.maxPool2d(Torch.zeros(DType.INT64, 1, 1, 4, 4), 2));
        assertTrue(
                e.getMessage().contains("max_pool2d: expected a floating-point tensor, got torch.int64"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pooling.adaptiveAvgPool2d(x, 0, 2));
        assertTrue(
                e.getMessage().contains("adaptive_avg_pool2d: output size must be positive, got 0x2"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Pooling.maxPool1d(Torch.randn(2, 3, 4, 5), 2, 0, 0, 1, false));
        assertTrue(e.getMessage().contains("max_pool1d: expected a 2-D (C, L) or 3-D (N, C, L) input"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Pooling.maxPool1d(Torch.randn(2, 3, 4), 3, 1, 0, 2, false));
        assertTrue(
                e.getMessage()
                        .equals("max_pool1d: kernel 3 (dilation 2) is larger than padded input length 4 "
                                + "(padding 0)"),
                e.getMessage());
    }
}
