package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * MultiheadAttention (kdim/vdim, per-head weights, bool/float/3-D masks, no bias, time-first),
 * TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer and the position
 * encodings against torch.nn (tools/golden/gen_attention.py) with PyTorch's parameters loaded by
 * state-dict name: outputs, attention weights, the gradients of every input and every parameter
 * (loss sum(y * g) + sum(w * gw)). Tolerance atol 2e-5, rtol 1e-4 (float32; two-layer stacks).
 */
class TransformerGoldenTest {
    private static final double ATOL = 2e-5;
    private static final double RTOL = 1e-4;

    private static Tensor g(String key) {
        return Golden.get("attention", key);
    }

    private static Tensor gOrNull(String key) {
        return Golden.load("attention").get(key);
    }

    private static Map<String, Tensor> params(String name) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        String prefix = name + ".param.";
        Golden.load("attention").forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    /** A float input as a leaf (gradient checked), or a mask as is. */
    private static Tensor in(String name, String key) {
        Tensor t = gOrNull(name + "." + key);
        return t == null || t.dtype() == DType.BOOL || key.endsWith("mask")
                ? t
                : t.clone().requiresGrad(true);
    }

    /**
     * Loads the case's parameters into m, runs it on the named inputs and checks the output (and
     * weights), the input gradients and the parameter gradients.
     */
    private static void check(String name, Module m, List<String> inputs, Function<Map<String, Tensor>, Tensor[]> run) {
        m.loadStateDict(params(name));
        m.eval();
        Map<String, Tensor> xs = new LinkedHashMap<>();
        for (String k : inputs) {
            xs.put(k, in(name, k));
        }
        Tensor[] res = run.apply(xs);
        assertClose(g(name + ".y"), res[0], ATOL, RTOL, name + " output");
        Tensor loss = res[0].mul(g(name + ".g")).sum();
        Tensor gw = gOrNull(name + ".gw");
        if (gw != null) {
            assertClose(g(name + ".w"), res[1], ATOL, RTOL, name + " weights");
            loss = loss.add(res[1].mul(gw).sum());
        } else if (res.length > 1) {
            assertNull(res[1], name + " weights without need_weights");
        }
        loss.backward();
        xs.forEach((k, x) -> {
            if (x != null && x.requiresGrad()) {
                assertClose(g(name + ".g" + k), x.grad(), ATOL, RTOL, name + " grad of " + k);
            }
        });
        m.namedParameters()
                .forEach((k, p) -> assertClose(g(name + ".grad." + k), p.grad(), ATOL, RTOL, name + " " + k));
    }

    private static Tensor[] pair(MultiheadAttention.Output o) {
        return new Tensor[] {o.output(), o.weights()};
    }

    @Test
    void multiheadAttentionOptions() {
        var kv = new MultiheadAttention(
                MultiheadAttentionOptions.of(8, 2).withKvDims(5, 3).withBatchFirst(true));
        assertEquals(
                List.of(
                        "q_proj_weight",
                        "k_proj_weight",
                        "v_proj_weight",
                        "in_proj_bias",
                        "out_proj.weight",
                        "out_proj.bias"),
                new ArrayList<>(kv.stateDict().keySet()));
        check(
                "mha_kvdim",
                kv,
                List.of("q", "k", "v", "key_padding_mask"),
                a -> pair(kv.call(a.get("q"), a.get("k"), a.get("v"), null, a.get("key_padding_mask"))));
        var perHead = new MultiheadAttention(8, 2);
        check(
                "mha_perhead",
                perHead,
                List.of("q", "k", "v", "attn_mask"),
                a -> pair(perHead.call(a.get("q"), a.get("k"), a.get("v"), a.get("attn_mask"), null, true, false)));
        var mask3 = new MultiheadAttention(MultiheadAttentionOptions.of(8, 4).withBatchFirst(true));
        check(
                "mha_mask3d",
                mask3,
                List.of("x", "attn_mask", "key_padding_mask"),
                a -> pair(
                        mask3.call(a.get("x"), a.get("x"), a.get("x"), a.get("attn_mask"), a.get("key_padding_mask"))));
        var noBias = new MultiheadAttention(
                MultiheadAttentionOptions.of(8, 2).withBias(false).withBatchFirst(true));
        check(
                "mha_nobias",
                noBias,
                List.of("x", "attn_mask"),
                a -> pair(noBias.call(a.get("x"), a.get("x"), a.get("x"), a.get("attn_mask"), null, false)));
        var kvFused = new MultiheadAttention(MultiheadAttentionOptions.of(6, 3).withKvDims(4, 4));
        check(
                "mha_kvdim_fused",
                kvFused,
                List.of("q", "k", "v", "attn_mask"),
                a -> pair(kvFused.call(a.get("q"), a.get("k"), a.get("v"), a.get("attn_mask"), null, false)));
    }

    @Test
    void unbatchedInputsAndFloatPaddingMasks() {
        Torch.manualSeed(9);
        for (boolean batchFirst : new boolean[] {true, false}) {
            var mha = new MultiheadAttention(MultiheadAttentionOptions.of(8, 2).withBatchFirst(batchFirst));
            Tensor q = Torch.randn(3, 8);
            Tensor kv = Torch.randn(5, 8);
            Tensor mask = Torch.randn(3, 5);
            int bd = batchFirst ? 0 : 1;
            var single = mha.call(q, kv, kv, mask, null, true, false);
            var batched = mha.call(q.unsqueeze(bd), kv.unsqueeze(bd), kv.unsqueeze(bd), mask, null, true, false);
            assertClose(batched.output().squeeze(bd), single.output(), 1e-6, 1e-5, "unbatched output");
            assertClose(batched.weights().squeeze(0), single.weights(), 1e-6, 1e-5, "unbatched per-head weights");
            assertEquals(
                    List.of(2, 3, 5),
                    List.of(
                            single.weights().shape()[0],
                            single.weights().shape()[1],
                            single.weights().shape()[2]));
        }
        var mha = new MultiheadAttention(MultiheadAttentionOptions.of(8, 2).withBatchFirst(true));
        Tensor x = Torch.randn(2, 5, 8);
        Tensor pad =
                Torch.tensor(new boolean[] {false, false, false, false, false, false, false, false, true, true}, 2, 5);
        Tensor padFloat = Torch.zeros(2, 5).maskedFill(pad, Float.NEGATIVE_INFINITY);
        for (boolean needWeights : new boolean[] {true, false}) {
            assertClose(
                    mha.call(x, x, x, null, pad, needWeights).output(),
                    mha.call(x, x, x, null, padFloat, needWeights).output(),
                    1e-6,
                    1e-5,
                    "float key padding mask, needWeights " + needWeights);
        }
    }

    @Test
    void encoderStackAndDecoders() {
        var enc = new TransformerEncoder(
                new TransformerEncoderLayer(
                        TransformerEncoderLayerOptions.of(8, 2, 16).withBatchFirst(true)),
                2,
                new LayerNorm(8));
        check("encoder_stack", enc, List.of("x", "mask", "src_key_padding_mask"), a ->
                new Tensor[] {enc.call(a.get("x"), a.get("mask"), a.get("src_key_padding_mask"))});
        var pre = new TransformerDecoderLayer(TransformerDecoderLayerOptions.of(8, 2, 16)
                .withActivation("gelu")
                .withNormFirst(true));
        check(
                "decoder_layer_prenorm",
                pre,
                List.of("tgt", "memory", "tgt_mask", "memory_key_padding_mask"),
                a -> new Tensor[] {
                    pre.call(
                            a.get("tgt"),
                            a.get("memory"),
                            a.get("tgt_mask"),
                            null,
                            null,
                            a.get("memory_key_padding_mask"))
                });
        var post = new TransformerDecoderLayer(
                TransformerDecoderLayerOptions.of(8, 2, 16).withBatchFirst(true));
        check(
                "decoder_layer",
                post,
                List.of("tgt", "memory", "memory_mask", "tgt_key_padding_mask"),
                a -> new Tensor[] {
                    post.call(
                            a.get("tgt"),
                            a.get("memory"),
                            null,
                            a.get("memory_mask"),
                            a.get("tgt_key_padding_mask"),
                            null)
                });
        var dec = new TransformerDecoder(
                new TransformerDecoderLayer(
                        TransformerDecoderLayerOptions.of(8, 2, 16).withBatchFirst(true)),
                2,
                new LayerNorm(8));
        check("decoder_stack", dec, List.of("tgt", "memory", "tgt_mask"), a ->
                new Tensor[] {dec.call(a.get("tgt"), a.get("memory"), a.get("tgt_mask"), null, null, null)});
    }

    @Test
    void transformer() {
        var t = new Transformer(TransformerOptions.of(8, 2, 2, 2).withDimFeedforward(16));
        check(
                "transformer",
                t,
                List.of("src", "tgt", "tgt_mask", "src_key_padding_mask", "memory_key_padding_mask"),
                a -> new Tensor[] {
                    t.call(
                            a.get("src"),
                            a.get("tgt"),
                            null,
                            a.get("tgt_mask"),
                            null,
                            a.get("src_key_padding_mask"),
                            null,
                            a.get("memory_key_padding_mask"))
                });
        var pre = new Transformer(new TransformerOptions(8, 4, 1, 2, 12, 0.0, "gelu", 1e-6, true, true));
        check(
                "transformer_prenorm",
                pre,
                List.of("src", "tgt", "src_mask", "tgt_mask", "memory_mask"),
                a -> new Tensor[] {
                    pre.call(
                            a.get("src"),
                            a.get("tgt"),
                            a.get("src_mask"),
                            a.get("tgt_mask"),
                            a.get("memory_mask"),
                            null,
                            null,
                            null)
                });
        assertClose(g("square_subsequent_mask"), Transformer.generateSquareSubsequentMask(4), 0, 0, "mask");
    }

    @Test
    void stateDictNamesAndInitializationAsPyTorch() {
        Torch.manualSeed(0);
        var t = new Transformer(TransformerOptions.of(8, 2, 2, 1).withDimFeedforward(16));
        Map<String, Tensor> sd = t.stateDict();
        var expected = params("transformer").keySet().stream()
                .filter(k -> !k.startsWith("decoder.layers.1."))
                .toList();
        assertEquals(expected, new ArrayList<>(sd.keySet()));
        // the layers start as copies of one layer, then every matrix is redrawn Xavier-uniform
        assertClose(sd.get("encoder.layers.0.linear1.bias"), sd.get("encoder.layers.1.linear1.bias"), 0, 0, "copy");
        Tensor w0 = sd.get("encoder.layers.0.linear1.weight");
        Tensor w1 = sd.get("encoder.layers.1.linear1.weight");
        assertTrue(w0.sub(w1).abs().max().item() > 0, "matrices redrawn per layer");
        double bound = Math.sqrt(6.0 / (8 + 16));
        assertTrue(w0.abs().max().item() <= bound && w0.abs().max().item() > 0.8 * bound, "xavier bound");
        assertEquals(
                0f,
                sd.get("decoder.layers.0.multihead_attn.in_proj_bias")
                        .abs()
                        .sum()
                        .item());
        // the stacks copy the given layer
        var layer = new TransformerEncoderLayer(8, 2, 16);
        var enc = new TransformerEncoder(layer, 3);
        for (int i = 0; i < 3; i++) {
            assertClose(
                    layer.getParameter("self_attn.in_proj_weight"),
                    enc.getParameter("layers." + i + ".self_attn.in_proj_weight"),
                    0,
                    0,
                    "copy " + i);
        }
    }

    @Test
    void positionEncodingLayers() {
        var sin = new SinusoidalPositionalEncoding(8, 10);
        assertClose(g("sinusoidal.y"), sin.call(g("sinusoidal.x")), 1e-6, 1e-5, "sinusoidal layer");
        assertTrue(sin.stateDict().isEmpty());
        var timeFirst = new SinusoidalPositionalEncoding(8, 10, false);
        assertClose(
                g("sinusoidal.y").transpose(0, 1),
                timeFirst.call(g("sinusoidal.x").transpose(0, 1)),
                1e-6,
                1e-5,
                "time-first");
        var learned = new LearnedPositionalEncoding(10, 8);
        learned.loadStateDict(params("learned"));
        Tensor x = g("learned.x").clone().requiresGrad(true);
        Tensor y = learned.call(x, 2);
        assertClose(g("learned.y"), y, 1e-6, 1e-5, "learned");
        y.backward(g("learned.g"));
        assertClose(g("learned.gx"), x.grad(), 1e-6, 1e-5, "learned grad x");
        assertClose(g("learned.grad.weight"), learned.parameter("weight").grad(), 1e-6, 1e-5, "learned grad weight");
        var rope = new RotaryEmbedding(8);
        assertClose(g("rotary.y"), rope.call(g("rotary.x"), 3), 1e-5, 1e-4, "rotary layer");
        var e = assertThrows(IllegalArgumentException.class, () -> sin.call(Torch.randn(1, 11, 8)));
        assertTrue(e.getMessage().contains("maxLen 10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> learned.call(Torch.randn(1, 3, 7)));
        assertTrue(e.getMessage().contains("[1, 3, 7]"), e.getMessage());
    }

    /** Modules hold float32 parameters: a float32 gradcheck with eps 1e-2, atol 5e-3, rtol 5e-2. */
    @Test
    void gradcheckTinyDecoderLayerAndTransformer() {
        Torch.manualSeed(6);
        var layer = new TransformerDecoderLayer(TransformerDecoderLayerOptions.of(4, 2, 6)
                .withDropout(0)
                .withBatchFirst(true)
                .withNormFirst(true));
        Tensor mask = Transformer.generateSquareSubsequentMask(3);
        GradCheck.check(
                "decoder layer",
                xs -> layer.call(xs[0].to(DType.FLOAT32), xs[1].to(DType.FLOAT32), mask, null, null, null)
                        .to(DType.FLOAT64),
                1e-2,
                5e-3,
                5e-2,
                Torch.randn(2, 3, 4).requiresGrad(true),
                Torch.randn(2, 2, 4).requiresGrad(true));
        var t = new Transformer(new TransformerOptions(4, 2, 1, 1, 6, 0.0, "gelu", 1e-5, false, false));
        GradCheck.check(
                "transformer",
                xs -> t.call(xs[0].to(DType.FLOAT32), xs[1].to(DType.FLOAT32)).to(DType.FLOAT64),
                1e-2,
                5e-3,
                5e-2,
                Torch.randn(3, 2, 4).requiresGrad(true),
                Torch.randn(2, 2, 4).requiresGrad(true));
    }

    @Test
    void badInputsSayWhatWasExpected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(10, 3));
        assertTrue(e.getMessage().contains("10") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Transformer(10, 4, 1, 1));
        assertTrue(e.getMessage().startsWith("Transformer: dModel 10"), e.getMessage());
        var mha = new MultiheadAttention(MultiheadAttentionOptions.of(8, 2).withBatchFirst(true));
        Tensor x = Torch.randn(2, 5, 8);
        e = assertThrows(IllegalArgumentException.class, () -> mha.call(x, x, x, Torch.zeros(4, 5), null));
        assertTrue(e.getMessage().contains("attnMask") && e.getMessage().contains("[4, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mha.call(x, x, x, null, Torch.zeros(DType.BOOL, 2, 4)));
        assertTrue(e.getMessage().contains("keyPaddingMask") && e.getMessage().contains("[2, 4]"), e.getMessage());
        var kv = new MultiheadAttention(
                MultiheadAttentionOptions.of(8, 2).withKvDims(5, 3).withBatchFirst(true));
        e = assertThrows(IllegalArgumentException.class, () -> kv.call(x, x, x, null, null));
        assertTrue(e.getMessage().contains("(B, Tk, 5)"), e.getMessage());
        var t = new Transformer(TransformerOptions.of(8, 2, 1, 1).withDimFeedforward(8));
        e = assertThrows(IllegalArgumentException.class, () -> t.call(Torch.randn(5, 2, 8), Torch.randn(4, 3, 8)));
        assertTrue(e.getMessage().contains("[5, 2, 8]") && e.getMessage().contains("[4, 3, 8]"), e.getMessage());
    }
}
