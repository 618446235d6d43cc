package dev.torchlet.nn.functional;

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
 * F.scaledDotProductAttention against PyTorch 2's math written out in tools/golden/gen_attention.py
 * (outputs and the gradients of q, k, v and a float mask; tolerance atol 1e-5, rtol 1e-4, float32),
 * float64 gradchecks of the fused and composite paths, dropout against the same draws applied by
 * hand, position encodings, and the error messages.
 */
class ScaledDotProductAttentionTest {
    private static Tensor g(String key) {
        return Golden.get("attention", key);
    }

    private static void golden(String name, Tensor mask, boolean causal, double scale) {
        Tensor q = g(name + ".q").clone().requiresGrad(true);
        Tensor k = g(name + ".k").clone().requiresGrad(true);
        Tensor v = g(name + ".v").clone().requiresGrad(true);
        Tensor y = Double.isNaN(scale)
                ? F.scaledDotProductAttention(q, k, v, mask, 0, causal)
                : F.scaledDotProductAttention(q, k, v, mask, 0, causal, scale);
        assertClose(g(name + ".y"), y, 1e-5, 1e-4, name + " output");
        y.backward(g(name + ".g"));
        assertClose(g(name + ".gq"), q.grad(), 1e-5, 1e-4, name + " grad q");
        assertClose(g(name + ".gk"), k.grad(), 1e-5, 1e-4, name + " grad k");
        assertClose(g(name + ".gv"), v.grad(), 1e-5, 1e-4, name + " grad v");
        if (mask != null && mask.requiresGrad()) {
            assertClose(g(name + ".gmask"), mask.grad(), 1e-5, 1e-4, name + " grad mask");
        }
    }

    @Test
    void matchesPyTorch() {
        golden("sdpa_plain", null, false, Double.NaN);
        golden("sdpa_causal", null, true, Double.NaN);
        golden("sdpa_causal_rect", null, true, Double.NaN);
        golden("sdpa_bool", g("sdpa_bool.mask"), false, Double.NaN);
        golden("sdpa_float", g("sdpa_float.mask"), false, Double.NaN); // fused: mask without grad
        golden("sdpa_float", g("sdpa_float.mask").clone().requiresGrad(true), false, Double.NaN); // composite
        golden("sdpa_ev", null, false, 0.3);
    }

    @Test
    void gradcheckFusedAndComposite() {
        Torch.manualSeed(11);
        Tensor q = Torch.randn(2, 3, 4).to(DType.FLOAT64).requiresGrad(true);
        Tensor k = Torch.randn(2, 5, 4).to(DType.FLOAT64).requiresGrad(true);
        Tensor v = Torch.randn(2, 5, 4).to(DType.FLOAT64).requiresGrad(true);
        GradCheck.check("sdpa causal", xs -> F.scaledDotProductAttention(xs[0], xs[1], xs[2], null, 0, true), q, k, v);
        Tensor mask = Torch.randn(1, 3, 5).to(DType.FLOAT64).requiresGrad(true);
        GradCheck.check(
                "sdpa float mask (composite)",
                xs -> F.scaledDotProductAttention(xs[0], xs[1], xs[2], xs[3], 0, false),
                q,
                k,
                v,
                mask);
        Tensor v6 = Torch.randn(2, 5, 6).to(DType.FLOAT64).requiresGrad(true);
        GradCheck.check(
                "sdpa Ev != E, dropout",
                xs -> {
                    Torch.manualSeed(5);
                    return F.scaledDotProductAttention(xs[0], xs[1], xs[2], null, 0.3, false, 0.7);
                },
                q,
                k,
                v6);
        GradCheck.check(
                "sdpa fused, dropout",
                xs -> {
                    Torch.manualSeed(5);
                    return F.scaledDotProductAttention(xs[0], xs[1], xs[2], null, 0.3, false);
                },
                q,
                k,
                v);
    }

    @Test
    void dropoutUsesTheDrawsOfFDropout() {
        Torch.manualSeed(3);
        Tensor q = Torch.randn(2, 2, 3, 4);
        Tensor k = Torch.randn(2, 2, 5, 4);
        Tensor v = Torch.randn(2, 2, 5, 4);
        Torch.manualSeed(7);
        Tensor fused = F.scaledDotProductAttention(q, k, v, null, 0.4, false);
        Tensor p = q.matmul(k.transpose(-2, -1)).mul(0.5f).softmax(-1);
        Torch.manualSeed(7);
        Tensor expected = F.dropout(p, 0.4, true).matmul(v);
        assertClose(expected, fused, 1e-5, 1e-4, "dropout");
        // composite path (Ev != E) draws the same way
        Tensor v3 = v.narrow(3, 0, 3);
        Torch.manualSeed(7);
        assertClose(
                expected.narrow(3, 0, 3),
                F.scaledDotProductAttention(q, k, v3, null, 0.4, false),
                1e-5,
                1e-4,
                "dropout, composite");
    }

    @Test
    void boolMaskTrueTakesPart() {
        Torch.manualSeed(4);
        Tensor q = Torch.randn(1, 2, 4);
        Tensor k = Torch.randn(1, 3, 4);
        Tensor v = Torch.randn(1, 3, 4);
        Tensor keepFirstTwo = Torch.tensor(new boolean[] {true, true, false}, 1, 3);
        assertClose(
                F.scaledDotProductAttention(q, k.narrow(1, 0, 2), v.narrow(1, 0, 2), null, 0, false),
                F.scaledDotProductAttention(q, k, v, keepFirstTwo, 0, false),
                1e-6,
                1e-5,
                "bool mask");
    }

    @Test
    void positionEncodingsMatchTheFormulas() {
        Tensor x = g("sinusoidal.x");
        Tensor t = F.sinusoidalPositions(6, 8, 0);
        assertClose(g("sinusoidal.y"), x.add(t), 1e-6, 1e-5, "sinusoidal");
        assertClose(g("sinusoidal.table7x5"), F.sinusoidalPositions(7, 5, 0), 1e-6, 1e-5, "odd width");
        assertClose(F.sinusoidalPositions(7, 5, 0).narrow(0, 3, 4), F.sinusoidalPositions(4, 5, 3), 1e-6, 1e-5, "off");
        Tensor r = g("rotary.x").clone().requiresGrad(true);
        Tensor y = F.rotaryEmbedding(r, 3, 10000);
        assertClose(g("rotary.y"), y, 1e-5, 1e-4, "rotary");
        y.backward(g("rotary.g"));
        assertClose(g("rotary.gx"), r.grad(), 1e-5, 1e-4, "rotary grad");
        // q_m . k_n depends on m - n only
        Torch.manualSeed(8);
        Tensor a = Torch.randn(1, 8);
        Tensor b = Torch.randn(1, 8);
        float d1 = F.rotaryEmbedding(a, 5, 10000)
                .mul(F.rotaryEmbedding(b, 2, 10000))
                .sum()
                .item();
        float d2 = F.rotaryEmbedding(a, 13, 10000)
                .mul(F.rotaryEmbedding(b, 10, 10000))
                .sum()
                .item();
        assertTrue(Math.abs(d1 - d2) < 1e-4, d1 + " vs " + d2);
        GradCheck.check(
                "rotary",
                xs -> F.rotaryEmbedding(xs[0], 2, 100),
                Torch.randn(2, 3, 4).requiresGrad(true));
    }

    @Test
    void badInputsNameTheOpAndShapes() {
        Tensor q = Torch.randn(2, 3, 4);
        Tensor k = Torch.randn(2, 5, 4);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> F.scaledDotProductAttention(q, Torch.randn(2, 5, 3), k, null, 0, false));
        assertTrue(e.getMessage().contains("scaled_dot_product_attention")
                && e.getMessage().contains("[2, 5, 3]"));
        e = assertThrows(
                IllegalArgumentException.class,
                () -> F.scaledDotProductAttention(q, k, k, Torch.randn(4, 5), 0, false));
        assertTrue(e.getMessage().contains("[4, 5]") && e.getMessage().contains("[2, 3, 5]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> F.scaledDotProductAttention(q, k, k, Torch.zeros(3, 5), 0, true));
        assertTrue(e.getMessage().contains("isCausal"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.scaledDotProductAttention(q, k, k, null, 1.5, false));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.rotaryEmbedding(Torch.randn(2, 3), 0, 10000));
        assertTrue(e.getMessage().contains("rotary_embedding") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertTrue(TensorInternals.shapeRef(F.scaledDotProductAttention(q, k, k, null, 0, false)).length == 3);
    }
}
