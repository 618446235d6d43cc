package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.GroupNorm;
import dev.torchlet.nn.functional.F;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Normalization#groupNormSilu} against group norm then SiLU: the same output and the same gradients for the
 * input, weight and bias, bit for bit in float32 (the fused kernels compute every value the way the two ops do),
 * with pixel counts that are and are not whole vectors, with and without an affine map, and on one and two threads.
 */
class GroupNormSiluTest {
    private record Case(int n, int c, int h, int w, int groups, boolean affine) {}

    private static final List<Case> CASES = List.of(
            new Case(2, 16, 28, 28, 8, true), // 784 pixels: whole vectors
            new Case(3, 12, 7, 7, 4, true), // 49: a tail in every row
            new Case(2, 6, 5, 3, 3, false), // no weight or bias
            new Case(1, 8, 1, 1, 2, true)); // one pixel per channel

    private static List<float[]> run(Case k, boolean fused) {
        Torch.manualSeed(5);
        Tensor x = Torch.randn(k.n, k.c, k.h, k.w).mul(2f).add(0.3f).requiresGrad(true);
        Tensor w = k.affine ? Torch.randn(k.c).add(1f).requiresGrad(true) : null;
        Tensor b = k.affine ? Torch.randn(k.c).requiresGrad(true) : null;
        Tensor g = Torch.randn(k.n, k.c, k.h, k.w);
        Tensor y = fused ? F.groupNormSilu(x, k.groups, w, b, 1e-5) : F.silu(F.groupNorm(x, k.groups, w, b, 1e-5));
        y.backward(g);
        List<float[]> out =
                new ArrayList<>(List.of(y.detach().toFloatArray(), x.grad().toFloatArray()));
        if (k.affine) {
            out.add(w.grad().toFloatArray());
            out.add(b.grad().toFloatArray());
        }
        return out;
    }

    @Test
    void fusedOpGivesTheTwoOpsValuesAndGradientsBitForBit() {
        int threads = Torch.getNumThreads();
        try {
            for (int t : new int[] {1, 2}) {
                Torch.setNumThreads(t);
                for (Case k : CASES) {
                    List<float[]> want = run(k, false);
                    List<float[]> got = run(k, true);
                    assertEquals(want.size(), got.size());
                    String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
                    for (int i = 0; i < want.size(); i++) {
                        assertArrayEquals(want.get(i), got.get(i), 0f, k + " " + names[i] + " on " + t + " threads");
                    }
                }
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }

    /** Output, then the gradients of x, shift, weight and bias of silu(group_norm(x + shift)), fused or not. */
    private static List<float[]> runShifted(Case k, boolean fused) {
        Torch.manualSeed(6);
        Tensor x = Torch.randn(k.n, k.c, k.h, k.w).mul(2f).add(0.3f).requiresGrad(true);
        Tensor shift = Torch.randn(k.n, k.c).mul(3f).add(2f).requiresGrad(true); // far from x's mean
        Tensor w = k.affine ? Torch.randn(k.c).add(1f).requiresGrad(true) : null;
        Tensor b = k.affine ? Torch.randn(k.c).requiresGrad(true) : null;
        Tensor g = Torch.randn(k.n, k.c, k.h, k.w);
        Tensor y = fused
                ? F.groupNormSilu(x, shift, k.groups, w, b, 1e-5)
                : F.silu(F.groupNorm(x.add(shift.reshape(k.n, k.c, 1, 1)), k.groups, w, b, 1e-5));
        y.backward(g);
        List<float[]> out = new ArrayList<>(List.of(
                y.detach().toFloatArray(), x.grad().toFloatArray(), shift.grad().toFloatArray()));
        if (k.affine) {
            out.add(w.grad().toFloatArray());
            out.add(b.grad().toFloatArray());
        }
        return out;
    }

    /**
     * With a per-(n, c) shift (a U-Net's timestep embedding), the fused op against add then group norm then SiLU: the
     * statistics are summed in another order (x and the shift apart), so values and gradients agree within 2e-5 of
     * each result's largest magnitude; the fused op itself gives the same bits on one and two threads.
     */
    @Test
    void shiftedFusedOpGivesAddThenTheTwoOpsValuesAndGradients() {
        int threads = Torch.getNumThreads();
        String[] names = {"output", "input gradient", "shift gradient", "weight gradient", "bias gradient"};
        try {
            for (Case k : CASES) {
                Torch.setNumThreads(1);
                List<float[]> oneThread = runShifted(k, true);
                Torch.setNumThreads(2);
                List<float[]> want = runShifted(k, false);
                List<float[]> got = runShifted(k, true);
                assertEquals(want.size(), got.size());
                for (int i = 0; i < want.size(); i++) {
                    float scale = 0f;
                    for (float v : want.get(i)) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    assertArrayEquals(want.get(i), got.get(i), 2e-5f * Math.max(scale, 1f), k + " " + names[i]);
                    assertArrayEquals(oneThread.get(i), got.get(i), 0f, k + " " + names[i] + " on 1 and 2 threads");
                }
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }

    @Test
    void theShiftGetsItsGradientWhenTheInputNeedsNone() {
        Torch.manualSeed(8);
        Tensor x = Torch.randn(2, 8, 5, 5);
        Tensor shift = Torch.randn(2, 8).requiresGrad(true);
        Tensor shift2 = shift.detach().requiresGrad(true);
        Tensor g = Torch.randn(2, 8, 5, 5);
        F.groupNormSilu(x, shift, 4, null, null, 1e-5).backward(g);
        F.silu(F.groupNorm(x.add(shift2.reshape(2, 8, 1, 1)), 4, null, null, 1e-5))
                .backward(g);
        assertArrayEquals(shift2.grad().toFloatArray(), shift.grad().toFloatArray(), 1e-5f);
    }

    @Test
    void aShiftOfAnotherShapeIsRejectedWithTheShapes() {
        Tensor x = Torch.randn(2, 8, 5, 5);
        var e = assertThrows(
                IllegalArgumentException.class, () -> F.groupNormSilu(x, Torch.randn(2, 8, 1), 4, null, null, 1e-5));
        assertTrue(e.getMessage().contains("[2, 8]") && e.getMessage().contains("[2, 8, 1]"), e.getMessage());
    }

    @Test
    void aHookedModuleSeesTheShiftedInput() {
        Torch.manualSeed(4);
        GroupNorm norm = new GroupNorm(2, 4);
        Tensor x = Torch.randn(2, 4, 3, 3);
        Tensor shift = Torch.randn(2, 4);
        Tensor shifted = x.add(shift.reshape(2, 4, 1, 1));
        Tensor[] seen = new Tensor[1];
        try (var h = norm.registerForwardHook((m, in, out) -> {
            seen[0] = in;
            return null;
        })) {
            Tensor y = norm.forwardSilu(x, shift);
            assertArrayEquals(shifted.toFloatArray(), seen[0].toFloatArray(), 0f);
            assertArrayEquals(F.silu(norm.call(shifted)).toFloatArray(), y.toFloatArray(), 0f);
        }
    }

    @Test
    void aHookedModuleRunsTheTwoOpsSoTheHookSeesTheNormalizedTensor() {
        Torch.manualSeed(2);
        GroupNorm norm = new GroupNorm(2, 4);
        Tensor x = Torch.randn(2, 4, 3, 3);
        Tensor[] seen = new Tensor[1];
        try (var h = norm.registerForwardHook((m, in, out) -> {
            seen[0] = out;
            return null;
        })) {
            Tensor y = norm.forwardSilu(x);
            assertArrayEquals(F.silu(seen[0]).toFloatArray(), y.toFloatArray(), 0f);
        }
        assertArrayEquals(
                F.silu(norm.call(x)).toFloatArray(), norm.forwardSilu(x).toFloatArray(), 0f);
    }

    @Test
    void otherDtypesRunTheOpsInTurn() {
        Torch.manualSeed(9);
        Tensor x = Torch.randn(2, 4, 3, 3).to(DType.FLOAT64);
        Tensor shift = Torch.randn(2, 4).to(DType.FLOAT64);
        double[] want = F.silu(F.groupNorm(x.add(shift.reshape(2, 4, 1, 1)), 2, null, null, 1e-5))
                .toDoubleArray();
        assertArrayEquals(want, F.groupNormSilu(x, shift, 2, null, null, 1e-5).toDoubleArray(), 0.0);
    }

    @Test
    void otherDtypesRunTheTwoOps() {
        Torch.manualSeed(3);
        Tensor x = Torch.randn(2, 4, 3, 3).to(DType.FLOAT64).requiresGrad(true);
        Tensor y = F.groupNormSilu(x, 2, null, null, 1e-5);
        assertEquals("SiluBackward0", y.gradFn().name());
        Tensor z = F.silu(F.groupNorm(x.detach(), 2, null, null, 1e-5));
        double[] a = y.detach().to(DType.FLOAT64).toDoubleArray();
        double[] e = z.toDoubleArray();
        assertArrayEquals(e, a, 0.0);
    }
}
