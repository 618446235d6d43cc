package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
