package dev.torchlet.ops;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.MultiheadAttention;
import dev.torchlet.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * The fused attention op: float64 gradcheck (packed self-attention and separate q/k/v, with a mask
 * and with dropout under a fixed seed), and MultiheadAttention's fused path (needWeights=false)
 * against its composite path (needWeights=true, checked against PyTorch by RecurrentGoldenTest):
 * outputs and all gradients, with causal and padding masks, batch-first or not, and in training
 * with dropout (same draws, so the same result). Tolerance atol 1e-5, rtol 1e-4 (f32).
 */
class AttentionTest {
    private static Tensor leaf(Tensor t) {
        return t.to(DType.FLOAT64).requiresGrad(true);
    }

    @Test
    void selfAttentionGradcheckWithMask() {
        Torch.manualSeed(1);
        Tensor qkv = leaf(Torch.randn(2 * 3, 3 * 4)); // B=2, T=3, E=4, 2 heads
        Tensor mask = Torch.zeros(1, 3, 3)
                .maskedFill(MultiheadAttention.causalMask(3).reshape(1, 3, 3), Float.NEGATIVE_INFINITY);
        GradCheck.check("self attention", xs -> Attention.selfAttention(xs[0], 2, 2, mask, 0, false), qkv);
    }

    @Test
    void crossAttentionGradcheckWithDropout() {
        Torch.manualSeed(2);
        Tensor q = leaf(Torch.randn(2 * 2, 6));
        Tensor k = leaf(Torch.randn(2 * 3, 6));
        Tensor v = leaf(Torch.randn(2 * 3, 6));
        GradCheck.check(
                "attention with dropout",
                xs -> {
                    Torch.manualSeed(9); // the same dropout draws on every evaluation
                    return Attention.attention(xs[0], xs[1], xs[2], 2, 3, null, 0.4, true);
                },
                q,
                k,
                v);
        // a non-contiguous (column-sliced) operand is read in place
        Tensor wide = leaf(Torch.randn(2 * 2, 9));
        GradCheck.check(
                "attention, strided q",
                xs -> Attention.attention(xs[0].narrow(1, 2, 6), xs[1], xs[2], 2, 3, null, 0, false),
                wide,
                k,
                v);
    }

    private static void compareFusedWithComposite(
            MultiheadAttention mha, Tensor x, Tensor mask, Tensor pad, boolean training, String what) {
        mha.train(training);
        Tensor x1 = x.detach().requiresGrad(true);
        Torch.manualSeed(3);
        Tensor ref = mha.forward(x1, x1, x1, mask, pad, true).output();
        Tensor g = Torch.randn(TensorInternals.shapeRef(ref));
        ref.backward(g);
        var refGrads = new java.util.ArrayList<Tensor>();
        mha.parameters().forEach(p -> refGrads.add(p.grad()));
        mha.zeroGrad();
        Tensor x2 = x.detach().requiresGrad(true);
        Torch.manualSeed(3);
        MultiheadAttention.Output fused = mha.forward(x2, x2, x2, mask, pad, false);
        assertNull(fused.weights());
        assertClose(ref, fused.output(), 1e-5, 1e-4, what + " output");
        fused.output().backward(g);
        assertClose(x1.grad(), x2.grad(), 1e-5, 1e-4, what + " input grad");
        for (int i = 0; i < refGrads.size(); i++) {
            assertClose(refGrads.get(i), mha.parameters().get(i).grad(), 1e-5, 1e-4, what + " param grad " + i);
        }
        mha.zeroGrad();
    }

    @Test
    void fusedPathMatchesCompositePath() {
        Torch.manualSeed(4);
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0.25, true, true);
        Tensor x = Torch.randn(3, 5, 8);
        boolean[] padData = new boolean[15];
        padData[4] = true;
        padData[13] = true;
        padData[14] = true;
        Tensor pad = Torch.tensor(padData, 3, 5);
        compareFusedWithComposite(mha, x, null, null, false, "plain");
        compareFusedWithComposite(mha, x, MultiheadAttention.causalMask(5), pad, false, "masks");
        compareFusedWithComposite(mha, x, Torch.randn(5, 5), null, false, "float mask");
        compareFusedWithComposite(mha, x, MultiheadAttention.causalMask(5), pad, true, "dropout");
        MultiheadAttention timeFirst = new MultiheadAttention(8, 4, 0.0, false, false);
        compareFusedWithComposite(timeFirst, Torch.randn(5, 3, 8), null, null, false, "time-first, no bias");
    }

    @Test
    void crossAttentionFusedMatchesComposite() {
        Torch.manualSeed(5);
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, true);
        Tensor q = Torch.randn(2, 3, 8);
        Tensor kv = Torch.randn(2, 4, 8);
        Tensor ref = mha.forward(q, kv, kv.mul(2f), null, null, true).output();
        Tensor fused = mha.forward(q, kv, kv.mul(2f), null, null, false).output();
        assertClose(ref, fused, 1e-5, 1e-4, "cross attention");
    }

    @Test
    void flashPathGradcheckAndMatchesTheProbabilitiesPath() {
        Torch.manualSeed(12);
        Tensor q = leaf(Torch.randn(2 * 3, 4));
        Tensor k = leaf(Torch.randn(2 * 5, 4));
        Tensor v = leaf(Torch.randn(2 * 5, 4));
        Tensor mask = Torch.randn(2, 3, 5).to(DType.FLOAT64);
        GradCheck.check(
                "flash attention (float64 reference)",
                xs -> Attention.attention(xs[0], xs[1], xs[2], 2, 2, mask, 0, false, true, false),
                q,
                k,
                v);
        // float32 kernels: several blocks, ragged ends, a shared causal mask, packed self-attention
        Tensor qkv = Torch.randn(2 * 150, 3 * 8);
        Tensor causal = Torch.zeros(1, 150, 150)
                .maskedFill(MultiheadAttention.causalMask(150).reshape(1, 150, 150), Float.NEGATIVE_INFINITY);
        Tensor g = Torch.randn(2 * 150, 8);
        Tensor[] grads = new Tensor[2];
        Tensor[] outs = new Tensor[2];
        for (int i = 0; i < 2; i++) {
            Tensor x = qkv.detach().requiresGrad(true);
            Tensor qq = x.narrow(1, 0, 8);
            Tensor kk = x.narrow(1, 8, 8);
            Tensor vv = x.narrow(1, 16, 8);
            outs[i] = Attention.attention(qq, kk, vv, 2, 2, causal, 0, false, i == 1, false);
            outs[i].backward(g);
            grads[i] = x.grad();
        }
        assertClose(outs[0], outs[1], 1e-5, 1e-4, "flash output");
        assertClose(grads[0], grads[1], 1e-5, 1e-4, "flash gradients");
        // long keys choose the flash path by themselves; training with dropout does not
        Tensor lq = Torch.randn(1 * 4, 8);
        Tensor lk = Torch.randn(1 * Attention.FLASH_MIN_KEYS, 8);
        assertClose(
                Attention.attention(lq, lk, lk.mul(1f), 1, 2, null, 0, false, false, false),
                Attention.attention(lq, lk, lk.mul(1f), 1, 2, null, 0, false),
                1e-5,
                1e-4,
                "flash by size");
    }

    @Test
    void causalFlagMatchesACausalMaskOnBothPaths() {
        Torch.manualSeed(13);
        Tensor q = Torch.randn(2 * 140, 8);
        Tensor k = Torch.randn(2 * 150, 8);
        Tensor v = Torch.randn(2 * 150, 8);
        Tensor mask = Torch.randn(2, 140, 150);
        Tensor both = mask.add(dev.torchlet.ops.ScaledDotProductAttention.causal(140, 150, DType.FLOAT32));
        Tensor g = Torch.randn(2 * 140, 8);
        Tensor[] ref =
                run(q, k, v, g, xs -> Attention.attention(xs[0], xs[1], xs[2], 2, 2, both, 0, false, false, false));
        for (boolean flash : new boolean[] {false, true}) {
            Tensor[] got =
                    run(q, k, v, g, xs -> Attention.attention(xs[0], xs[1], xs[2], 2, 2, mask, 0, false, flash, true));
            for (int i = 0; i < 4; i++) {
                assertClose(ref[i], got[i], 1e-5, 1e-4, "causal flag, flash " + flash + ", result " + i);
            }
        }
        GradCheck.check(
                "flash causal (float64 reference)",
                xs -> Attention.attention(xs[0], xs[1], xs[2], 1, 1, null, 0, false, true, true),
                leaf(Torch.randn(4, 3)),
                leaf(Torch.randn(5, 3)),
                leaf(Torch.randn(5, 3)));
    }

    /** Output and the gradients of q, k, v for output gradient g. */
    private static Tensor[] run(
            Tensor q, Tensor k, Tensor v, Tensor g, java.util.function.Function<Tensor[], Tensor> f) {
        Tensor[] xs = {
            q.detach().requiresGrad(true),
            k.detach().requiresGrad(true),
            v.detach().requiresGrad(true)
        };
        Tensor out = f.apply(xs);
        out.backward(g);
        return new Tensor[] {out, xs[0].grad(), xs[1].grad(), xs[2].grad()};
    }

    @Test
    void badInputsNameTheOpAndShapes() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Attention.selfAttention(Torch.randn(6, 10), 2, 2, null, 0, false));
        assertTrue(e.getMessage().contains("self_attention") && e.getMessage().contains("[6, 10]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Attention.selfAttention(Torch.randn(6, 12), 2, 3, null, 0, false));
        assertTrue(e.getMessage().contains("divisible"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Attention.selfAttention(Torch.randn(6, 12), 2, 2, Torch.zeros(1, 3, 4), 0, false));
        assertTrue(e.getMessage().contains("mask") && e.getMessage().contains("[1, 3, 4]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Attention.attention(
                        Torch.randn(4, 6), Torch.randn(6, 6), Torch.randn(6, 5), 2, 2, null, 0, false));
        assertTrue(e.getMessage().contains("attention") && e.getMessage().contains("[6, 5]"), e.getMessage());
    }
}
