package dev.torchlet.vision.models;

import static dev.torchlet.vision.models.TransformerFixtures.assertAll;
import static dev.torchlet.vision.models.TransformerFixtures.assertNormalish;
import static dev.torchlet.vision.models.TransformerFixtures.maxAbs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.MultiheadAttention;
import dev.torchlet.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * VisionTransformer against torchvision (fixtures from tools/golden/gen_vision_transformer.py): parity of
 * vit_b_16 and vit_b_32 at 224 (logits; for vit_b_16 also a few tokens of encoder outputs), of torchvision's class at
 * small sizes (whole feature maps, with and without the representation layer), state-dict keys and
 * shapes, default initialization, head replacement and input errors.
 */
class VisionTransformerTest {
    /** One default-initialized vit_b_16 (86M parameters) shared by the tests that do not change it. */
    private static VisionTransformer defaultB16;

    private static synchronized VisionTransformer defaultB16() {
        if (defaultB16 == null) {
            Torch.manualSeed(16);
            defaultB16 = (VisionTransformer) Models.create("vit_b_16", 10);
        }
        return defaultB16;
    }

    @AfterAll
    static synchronized void releaseModel() {
        defaultB16 = null; // 350 MB: not kept for the other test classes of the run
    }

    private static VisionTransformer.Options small() {
        return VisionTransformer.Options.of(32, 8, 2, 4, 64, 128).withNumClasses(10);
    }

    @Test
    void vitB16() {
        ZooParity.check("vit_b_16");
    }

    @Test
    void vitB32() {
        ZooParity.check("vit_b_32");
    }

    @Test
    void vitB16Tokens() {
        checkTokens("vit_b_16");
    }

    /** Tokens of encoder outputs at 224 (whole maps would make the fixture too big). */
    private static void checkTokens(String name) {
        Map<String, Tensor> f = Golden.load("vision_" + name + "_tokens");
        Tensor index = f.get("token_index");
        Module model = Models.create(name, 10);
        ProceduralWeights.fill(model);
        model.eval();
        Map<String, Tensor> tokens = new LinkedHashMap<>();
        List<Module.HookHandle> hooks = new ArrayList<>();
        for (String key : f.keySet()) {
            if (key.startsWith("tokens.")) {
                hooks.add(model.getSubmodule(key.substring("tokens.".length())).registerForwardHook((m, in, out) -> {
                    tokens.put(key, out.indexSelect(1, index));
                    return null;
                }));
            }
        }
        try (var g = Torch.noGrad()) {
            model.call(Golden.get("vision_" + name, "input"));
        }
        hooks.forEach(Module.HookHandle::remove);
        assertEquals(2, tokens.size());
        tokens.forEach((key, value) -> ZooParity.assertClose(name + " " + key, f.get(key), value));
    }

    @Test
    void torchvisionClassAtSmallSize() {
        TransformerFixtures.checkParity("vit_small_test", new VisionTransformer(small()));
    }

    @Test
    void representationLayer() {
        var model = new VisionTransformer(VisionTransformer.Options.of(32, 16, 1, 2, 32, 48)
                .withNumClasses(10)
                .withRepresentationSize(16));
        assertEquals(
                List.of("pre_logits", "act", "head"),
                List.copyOf(model.getSubmodule("heads").namedChildren().keySet()));
        TransformerFixtures.checkParity("vit_repr_test", model);
    }

    @Test
    void moduleTreeMatchesTorchvision() {
        // paths and types of every submodule (hooks and feature extraction address them by these paths)
        TransformerFixtures.assertModulesMatch("vit_b_16", defaultB16());
    }

    @Test
    void stateDictKeysAndShapesMatchTorchvision() {
        TransformerFixtures.assertStateDictMatches("vit_b_16", defaultB16());
        // vit_b_32 (another 88M parameters to build) differs from vit_b_16 only in the patch size: torchvision's
        // listings differ only in conv_proj.weight and encoder.pos_embedding, which follow from the options
        List<String> b32 = TransformerFixtures.torchvisionStateDict("vit_b_32");
        List<String> b16 = TransformerFixtures.torchvisionStateDict("vit_b_16");
        assertEquals(b16.size(), b32.size());
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < b16.size(); i++) {
            if (!b16.get(i).equals(b32.get(i))) {
                changed.add(b32.get(i));
            }
        }
        assertEquals(List.of("conv_proj.weight 768,3,32,32", "encoder.pos_embedding 1,50,768"), changed);
        assertEquals("class_token 1,1,768", b16.get(0));
        assertEquals(
                List.of(
                        "encoder.layers.encoder_layer_0.ln_1.weight 768",
                        "encoder.layers.encoder_layer_0.ln_1.bias 768",
                        "encoder.layers.encoder_layer_0.self_attention.in_proj_weight 2304,768",
                        "encoder.layers.encoder_layer_0.self_attention.in_proj_bias 2304",
                        "encoder.layers.encoder_layer_0.self_attention.out_proj.weight 768,768",
                        "encoder.layers.encoder_layer_0.self_attention.out_proj.bias 768",
                        "encoder.layers.encoder_layer_0.ln_2.weight 768",
                        "encoder.layers.encoder_layer_0.ln_2.bias 768",
                        "encoder.layers.encoder_layer_0.mlp.0.weight 3072,768",
                        "encoder.layers.encoder_layer_0.mlp.0.bias 3072",
                        "encoder.layers.encoder_layer_0.mlp.3.weight 768,3072",
                        "encoder.layers.encoder_layer_0.mlp.3.bias 768"),
                b16.subList(4, 16));
    }

    @Test
    void defaultInitializationIsTorchvisions() {
        Module m = defaultB16();
        assertAll("class_token", m.getParameter("class_token"), 0);
        assertAll("heads.head.weight", m.getParameter("heads.head.weight"), 0);
        assertAll("heads.head.bias", m.getParameter("heads.head.bias"), 0);
        // trunc_normal_(std = sqrt(1 / fan_in)), fan_in = 3 * 16 * 16
        assertNormalish("conv_proj.weight", m.getParameter("conv_proj.weight"), Math.sqrt(1.0 / 768), 0.02);
        assertAll("conv_proj.bias", m.getParameter("conv_proj.bias"), 0);
        assertNormalish("encoder.pos_embedding", m.getParameter("encoder.pos_embedding"), 0.02, 0.02);
        String block = "encoder.layers.encoder_layer_3.";
        double xavierAttn = Math.sqrt(6.0 / (768 + 2304));
        Tensor inProj = m.getParameter(block + "self_attention.in_proj_weight");
        assertNormalish("in_proj_weight", inProj, xavierAttn / Math.sqrt(3), 0.02);
        assertTrue(maxAbs(inProj) <= xavierAttn);
        assertAll("in_proj_bias", m.getParameter(block + "self_attention.in_proj_bias"), 0);
        assertAll("out_proj.bias", m.getParameter(block + "self_attention.out_proj.bias"), 0);
        Tensor outProj = m.getParameter(block + "self_attention.out_proj.weight");
        assertNormalish("out_proj.weight", outProj, 1 / Math.sqrt(768) / Math.sqrt(3), 0.02);
        double xavierMlp = Math.sqrt(6.0 / (768 + 3072));
        for (String fc : List.of("mlp.0", "mlp.3")) {
            Tensor w = m.getParameter(block + fc + ".weight");
            assertNormalish(fc + ".weight", w, xavierMlp / Math.sqrt(3), 0.02);
            assertTrue(maxAbs(w) <= xavierMlp);
            assertNormalish(fc + ".bias", m.getParameter(block + fc + ".bias"), 1e-6, 0.1);
        }
        for (String ln : List.of(block + "ln_1", block + "ln_2", "encoder.ln")) {
            assertAll(ln + ".weight", m.getParameter(ln + ".weight"), 1);
            assertAll(ln + ".bias", m.getParameter(ln + ".bias"), 0);
        }
    }

    @Test
    void headCanBeReplaced() {
        var model = new VisionTransformer(small());
        var keys = List.copyOf(model.stateDict().keySet());
        model.replaceModule("heads.head", new Linear(64, 3));
        assertEquals(keys, List.copyOf(model.stateDict().keySet()));
        assertArrayEquals(
                new int[] {3, 64}, model.getParameter("heads.head.weight").shape());
        model.eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(
                    new int[] {2, 3}, model.call(Torch.randn(2, 3, 32, 32)).shape());
        }
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> model.replaceModule("encoder.layers.encoder_layer_0.self_attention", new Linear(64, 64)));
        assertTrue(e.getMessage().contains("must be a MultiheadAttention"), e.getMessage());
        assertInstanceOf(MultiheadAttention.class, model.getSubmodule("encoder.layers.encoder_layer_0.self_attention"));
    }

    @Test
    void trainsEndToEnd() {
        var model = new VisionTransformer(small());
        model.train();
        Tensor loss = model.call(Torch.randn(2, 3, 32, 32)).sum();
        loss.backward();
        assertTrue(maxAbs(model.getParameter("heads.head.weight").grad()) > 0);
        // the head starts at zero, so only the head gets a gradient in the first step (as in torchvision)
        assertNotNullGrad(model.getParameter("conv_proj.weight"));
    }

    private static void assertNotNullGrad(Tensor p) {
        assertTrue(p.grad() != null, "no gradient reached the parameter");
    }

    @Test
    void badInputIsReportedWithModelAndShapes() {
        Module m = defaultB16();
        var channels = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.zeros(1, 1, 224, 224)));
        assertEquals("vit_b_16: conv_proj expects 3 input channels, got input [1, 1, 224, 224]", channels.getMessage());
        var size = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.zeros(1, 3, 160, 160)));
        assertTrue(
                size.getMessage().startsWith("vit_b_16: expected input (N, C, 224, 224), got [1, 3, 160, 160]"),
                size.getMessage());
        var rank = assertThrows(IllegalArgumentException.class, () -> m.call(Torch.zeros(3, 224, 224)));
        assertTrue(rank.getMessage().contains("[3, 224, 224]"), rank.getMessage());
        var opts = assertThrows(
                IllegalArgumentException.class, () -> VisionTransformer.Options.of(224, 15, 12, 12, 768, 3072));
        assertEquals("VisionTransformer: imageSize 224 is not divisible by patchSize 15", opts.getMessage());
        var heads = assertThrows(
                IllegalArgumentException.class, () -> VisionTransformer.Options.of(224, 16, 12, 5, 768, 3072));
        assertEquals("VisionTransformer: hiddenDim 768 is not divisible by numHeads 5", heads.getMessage());
    }
}
