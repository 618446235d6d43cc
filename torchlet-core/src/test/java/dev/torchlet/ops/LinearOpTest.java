package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * The fused linear op against the composite x.matmul(W.t()).add(b) (whose pieces have their own
 * PyTorch goldens) on awkward sizes, non-contiguous and 3-D inputs, with and without bias; plus a
 * float64 gradcheck. Tolerance atol 1e-5, rtol 1e-4: the same float32 products summed in a
 * different order (bias pre-filled vs added after).
 */
class LinearOpTest {
    private static void compare(Tensor x, Tensor w, Tensor b, String what) {
        Tensor x1 = x.detach().requiresGrad(true);
        Tensor w1 = w.detach().requiresGrad(true);
        Tensor b1 = b == null ? null : b.detach().requiresGrad(true);
        Tensor x2 = x.detach().requiresGrad(true);
        Tensor w2 = w.detach().requiresGrad(true);
        Tensor b2 = b == null ? null : b.detach().requiresGrad(true);
        Tensor y1 = F.linear(x1, w1, b1);
        Tensor y2 = x2.matmul(w2.t());
        if (b2 != null) {
            y2 = y2.add(b2);
        }
        Golden.assertClose(y2, y1, 1e-5, 1e-4, what + " forward");
        Tensor g = Torch.randn(y1.shape());
        y1.backward(g);
        y2.backward(g);
        Golden.assertClose(x2.grad(), x1.grad(), 1e-5, 1e-4, what + " grad x");
        Golden.assertClose(w2.grad(), w1.grad(), 1e-5, 1e-4, what + " grad W");
        if (b != null) {
            Golden.assertClose(b2.grad(), b1.grad(), 1e-5, 1e-4, what + " grad b");
        }
    }

    @Test
    void matchesCompositeOnAwkwardSizes() {
        Torch.manualSeed(7);
        int[][] mkn = {{1, 1, 1}, {7, 17, 33}, {33, 7, 1}, {17, 257, 10}, {64, 300, 128}, {5, 1, 257}};
        for (int[] s : mkn) {
            Tensor x = Torch.randn(s[0], s[1]);
            Tensor w = Torch.randn(s[2], s[1]);
            compare(x, w, Torch.randn(s[2]), "bias " + java.util.Arrays.toString(s));
            compare(x, w, null, "no bias " + java.util.Arrays.toString(s));
        }
    }

    @Test
    void handlesViewsAndBatchDims() {
        Torch.manualSeed(8);
        compare(Torch.randn(17, 7).t(), Torch.randn(5, 17), Torch.randn(5), "transposed input");
        compare(Torch.randn(7, 17), Torch.randn(17, 5).t(), Torch.randn(5), "transposed weight");
        // a transposed weight is read in place (the GEMM's other orientation), on awkward sizes too
        int[][] mkn = {{1, 1, 1}, {7, 17, 33}, {33, 7, 1}, {5, 1, 257}, {64, 300, 128}};
        for (int[] s : mkn) {
            Tensor w = Torch.randn(s[1], s[2]).t();
            compare(Torch.randn(s[0], s[1]), w, Torch.randn(s[2]), "transposed weight " + java.util.Arrays.toString(s));
            compare(Torch.randn(2, s[0], s[1]), w, null, "transposed weight, 3-D " + java.util.Arrays.toString(s));
        }
        compare(Torch.randn(2, 3, 7), Torch.randn(4, 7), Torch.randn(4), "3-D input");
        compare(Torch.randn(7), Torch.randn(4, 7), Torch.randn(4), "1-D input");
        Tensor y = F.linear(Torch.randn(3, 4).requiresGrad(true), Torch.randn(5, 4), Torch.randn(5));
        assertEquals("AddmmBackward0", y.gradFn().name());
    }

    @Test
    void gradcheckFloat64() {
        Torch.manualSeed(9);
        GradCheck.check(
                "linear with bias",
                t -> F.linear(t[0], t[1], t[2]),
                Torch.randn(3, 5).to(DType.FLOAT64).requiresGrad(true),
                Torch.randn(4, 5).to(DType.FLOAT64).requiresGrad(true),
                Torch.randn(4).to(DType.FLOAT64).requiresGrad(true));
        GradCheck.check(
                "linear no bias, 3-D input",
                t -> F.linear(t[0], t[1], null),
                Torch.randn(2, 3, 5).to(DType.FLOAT64).requiresGrad(true),
                Torch.randn(4, 5).to(DType.FLOAT64).requiresGrad(true));
        GradCheck.check(
                "linear with a transposed weight view",
                t -> F.linear(t[0], t[1].t(), t[2]),
                Torch.randn(3, 5).to(DType.FLOAT64).requiresGrad(true),
                Torch.randn(5, 4).to(DType.FLOAT64).requiresGrad(true),
                Torch.randn(4).to(DType.FLOAT64).requiresGrad(true));
    }

    @Test
    void rejectsBadInput() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> F.linear(Torch.randn(3, 5), Torch.randn(4, 6), null));
        assertTrue(e.getMessage().contains("linear") && e.getMessage().contains("[4, 6]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> F.linear(Torch.randn(3, 5), Torch.randn(4, 5), Torch.randn(3)));
        assertTrue(e.getMessage().contains("bias") && e.getMessage().contains("[3]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> F.linear(Torch.randn(3, 5), Torch.randn(4, 5).to(DType.FLOAT64), null));
        assertTrue(e.getMessage().contains("dtype"), e.getMessage());
    }
}
