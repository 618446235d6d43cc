package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.nn.functional.F;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The backward pass hands the gradients it has consumed back to the buffer pool ({@link
 * InferenceMode#enterBackward}), and the next gradients are written into those arrays without being cleared: every
 * gradient must come out the same, bit for bit, on the first pass (fresh, zeroed arrays) and on the passes after it
 * (recycled arrays full of the last pass's values); a gradient a leaf took, or that a pending sum or a view still
 * holds, must never be recycled.
 */
class GradientRecyclingTest {
    @AfterEach
    void emptyThePool() {
        InferenceMode.clearPool();
    }

    /** A U-Net-like graph: conv, group norm, SiLU, a broadcast add, a residual, nearest upsampling, cat, a view. */
    private static List<Tensor> parameters() {
        Torch.manualSeed(11);
        List<Tensor> p = new ArrayList<>();
        p.add(Torch.randn(8, 4, 3, 3).mul(0.2f)); // conv 1
        p.add(Torch.randn(8)); // its bias
        p.add(Torch.randn(8).add(1f)); // group norm weight
        p.add(Torch.randn(8)); // group norm bias
        p.add(Torch.randn(2, 8, 1, 1)); // a per-sample, per-channel term (the time embedding)
        p.add(Torch.randn(4, 16, 3, 3).mul(0.2f)); // conv 2 on cat(upsampled, upsampled)
        p.replaceAll(t -> t.requiresGrad(true));
        return p;
    }

    private static Tensor loss(List<Tensor> p, Tensor x) {
        Tensor h = F.conv2d(x, p.get(0), p.get(1), 1, 1); // (2, 8, 6, 6)
        Tensor a = F.silu(F.groupNorm(h, 2, p.get(2), p.get(3), 1e-5)).add(p.get(4));
        Tensor r = h.add(a); // h read twice: its gradient is a sum
        Tensor pooled = F.interpolate(r.reshape(2, 8, 3, 12), 2.0, "nearest", false); // a view, then (2, 8, 6, 24)
        Tensor both = Torch.cat(List.of(pooled, pooled.mul(0.5f)), 1); // (2, 16, 6, 24)
        Tensor y = F.conv2d(both, p.get(5), null, 1, 1);
        return y.mul(y).mean().add(r.sum().mul(1e-3f));
    }

    private static float[][] gradients(List<Tensor> p, Tensor x) {
        for (Tensor t : p) {
            t.setGrad(null);
        }
        x.setGrad(null);
        loss(p, x).backward();
        float[][] g = new float[p.size() + 1][];
        for (int i = 0; i < p.size(); i++) {
            g[i] = p.get(i).grad().toFloatArray();
        }
        g[p.size()] = x.grad().toFloatArray();
        return g;
    }

    @Test
    void recycledGradientArraysGiveTheSameGradientsBitForBit() {
        List<Tensor> p = parameters();
        Tensor x = Torch.randn(2, 4, 6, 6).requiresGrad(true);
        InferenceMode.clearPool();
        float[][] first = gradients(p, x);
        assertTrue(InferenceMode.pooledFloats() > 0, "the pass recycled none of its gradients");
        for (int pass = 0; pass < 3; pass++) {
            float[][] again = gradients(p, x);
            for (int i = 0; i < first.length; i++) {
                assertArrayEquals(first[i], again[i], 0f, "gradient " + i + " on pass " + (pass + 2));
            }
        }
    }

    @Test
    void gradientsLeavesTookStayReadableAfterLaterPasses() {
        List<Tensor> p = parameters();
        Tensor x = Torch.randn(2, 4, 6, 6).requiresGrad(true);
        float[][] first = gradients(p, x);
        List<Tensor> kept = new ArrayList<>();
        for (Tensor t : p) {
            kept.add(t.grad());
        }
        for (Tensor t : p) {
            t.setGrad(null);
        }
        loss(p, x).backward(); // its gradients go into arrays the first pass left in the pool, not into kept ones
        loss(p, x).backward(); // and this one accumulates onto them
        for (int i = 0; i < p.size(); i++) {
            assertArrayEquals(first[i], kept.get(i).toFloatArray(), 0f, "kept gradient " + i);
            float[] twice = p.get(i).grad().toFloatArray();
            for (int j = 0; j < twice.length; j++) {
                assertTrue(Float.compare(twice[j], first[i][j] + first[i][j]) == 0, "accumulated gradient " + i);
            }
        }
    }

    @Test
    void aGradientTwoInputsShareIsRecycledOnlyAfterBoth() {
        Tensor a = Torch.randn(64, 64).requiresGrad(true);
        Tensor b = Torch.randn(64, 64).requiresGrad(true);
        for (int pass = 0; pass < 3; pass++) {
            a.setGrad(null);
            b.setGrad(null);
            Tensor s = a.mul(1f).add(b.mul(1f)); // AddBackward gives the same g to both products
            Tensor y = F.silu(s).add(s); // s's gradient: a pending sum
            y.sum().backward();
            float[] want = new float[64 * 64];
            float[] sv = s.detach().toFloatArray();
            for (int i = 0; i < want.length; i++) {
                double sig = 1 / (1 + Math.exp(-sv[i]));
                want[i] = (float) (sig * (1 + sv[i] * (1 - sig)) + 1);
            }
            assertArrayEquals(want, a.grad().toFloatArray(), 1e-5f, "pass " + pass);
            assertArrayEquals(want, b.grad().toFloatArray(), 1e-5f, "pass " + pass);
        }
    }

    @Test
    void aRetainedGraphBackwardsTwiceTheSame() {
        List<Tensor> p = parameters();
        Tensor x = Torch.randn(2, 4, 6, 6);
        Tensor l = loss(p, x);
        l.backward(Torch.onesLike(l), true);
        float[] once = p.get(0).grad().toFloatArray();
        p.get(0).setGrad(null);
        l.backward(Torch.onesLike(l), true);
        assertArrayEquals(once, p.get(0).grad().toFloatArray(), 0f);
    }
}
