package dev.torchlet.nn;

import static dev.torchlet.nn.VisionLayerGoldenTest.check;
import static dev.torchlet.nn.VisionLayerGoldenTest.g;
import static dev.torchlet.nn.VisionLayerGoldenTest.withPrefix;
import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.GradCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ConvNeXt's channels-last LayerNorm2d and ViT's class token and position embedding against PyTorch
 * (tools/golden/gen_layers_vision.py: torchvision.models.convnext.LayerNorm2d, and layers doing what
 * torchvision's VisionTransformer does with its class_token and encoder.pos_embedding). Parameters are
 * loaded by state-dict name; output, input gradient and parameter gradients match within atol 1e-5,
 * rtol 1e-4. Gradients are also checked by float64 finite differences, and the initializations and
 * shape errors directly.
 */
class ConvNeXtViTLayerGoldenTest {
    @Test
    void layerNorm2dMatchesTorchvision() {
        check("ln2d", () -> new LayerNorm2d(6, 1e-6), true);
        check("ln2d_default", () -> new LayerNorm2d(5), true);
        Map<String, Tensor> p = withPrefix("ln2d.param.");
        Tensor x = g("ln2d.x").clone().requiresGrad(true);
        Tensor y = F.layerNorm2d(x, p.get("weight"), p.get("bias"), 1e-6);
        assertClose(g("ln2d.y"), y, 1e-5, 1e-4, "functional layer_norm2d");
        y.backward(g("ln2d.g"));
        assertClose(g("ln2d.gx"), x.grad(), 1e-5, 1e-4, "functional layer_norm2d input grad");
    }

    @Test
    void layerNorm2dIsLayerNormOverChannelsAndGradchecks() {
        Torch.manualSeed(2);
        Tensor x = Torch.randn(2, 3, 4, 5).mul(2f).add(0.5f);
        Tensor w = Torch.randn(3);
        Tensor b = Torch.randn(3);
        Tensor viaPermute =
                F.layerNorm(x.permute(0, 2, 3, 1), new int[] {3}, w, b, 1e-5).permute(0, 3, 1, 2);
        assertArrayEquals(
                viaPermute.toFloatArray(), F.layerNorm2d(x, w, b, 1e-5).toFloatArray(), 0f);
        // each position's channels have mean 0 and (biased) variance var / (var + eps) without affine
        Tensor plain = F.layerNorm2d(x, null, null, 1e-5);
        assertClose(Torch.zeros(2, 1, 4, 5), plain.mean(1, true), 1e-6, 0, "mean over C");
        GradCheck.check(
                "layer_norm2d",
                t -> F.layerNorm2d(t[0], t[1], t[2], 1e-5),
                Torch.randn(2, 3, 2, 3).requiresGrad(true),
                Torch.randn(3).requiresGrad(true),
                Torch.randn(3).requiresGrad(true));
        assertEquals(
                DType.FLOAT64,
                F.layerNorm2d(x.to(DType.FLOAT64), null, null, 1e-5).dtype());
    }

    @Test
    void layerNorm2dNamesInitAndErrors() {
        LayerNorm2d ln = new LayerNorm2d(4, 1e-6);
        assertEquals(List.of("weight", "bias"), List.copyOf(ln.stateDict().keySet()));
        assertArrayEquals(new float[] {1, 1, 1, 1}, ln.parameter("weight").toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0, 0}, ln.parameter("bias").toFloatArray());
        assertEquals("LayerNorm2d((4,), eps=1.0E-6, elementwise_affine=True)", ln.toString());
        assertEquals(1e-5, new LayerNorm2d(4).eps());
        var e = assertThrows(IllegalArgumentException.class, () -> ln.call(Torch.zeros(1, 3, 2, 2)));
        assertEquals("LayerNorm2d: expected (N, 4, H, W), got [1, 3, 2, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.layerNorm2d(Torch.zeros(4, 2, 2), null, null, 1e-5));
        assertEquals("layer_norm2d: expected input (N, C, H, W), got [4, 2, 2]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm2d(0));
    }

    @Test
    void classTokenMatchesTorchvisionsViT() {
        check("class_token", () -> new ClassToken(8), true);
        Tensor x = g("class_token.x");
        Tensor y = new ClassToken(8).call(x);
        assertArrayEquals(new int[] {3, 6, 8}, y.shape());
        assertArrayEquals(new float[8], y.select(1, 0).select(0, 2).toFloatArray(), "zero-initialized token");
        assertArrayEquals(x.toFloatArray(), y.narrow(1, 1, 5).contiguous().toFloatArray(), "tokens moved by one");
    }

    @Test
    void classTokenGradientsAndErrors() {
        Torch.manualSeed(4);
        GradCheck.check(
                "class_token",
                t -> F.prependClassToken(t[0], t[1]),
                Torch.randn(3, 2, 4).requiresGrad(true),
                Torch.randn(1, 1, 4).requiresGrad(true));
        ClassToken ct = new ClassToken(4);
        assertEquals(List.of("token"), List.copyOf(ct.stateDict().keySet()));
        assertEquals("ClassToken(dim=4)", ct.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> ct.call(Torch.zeros(2, 5, 3)));
        assertEquals("class_token: expected input (N, L, 4) for the token [1, 1, 4], got [2, 5, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ct.call(Torch.zeros(5, 4)));
        assertTrue(e.getMessage().contains("got [5, 4]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> F.prependClassToken(Torch.zeros(2, 5, 4), Torch.zeros(2, 1, 4)));
        assertEquals("class_token: expected a token of shape (1, 1, D), got [2, 1, 4]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClassToken(0));
    }

    @Test
    void positionEmbeddingMatchesTorchvisionsViT() {
        check("pos_embedding", () -> new PositionEmbedding(5, 8), true);
    }

    @Test
    void positionEmbeddingGradientsInitAndErrors() {
        Torch.manualSeed(5);
        GradCheck.check(
                "pos_embedding",
                t -> F.addPositionEmbedding(t[0], t[1]),
                Torch.randn(3, 4, 2).requiresGrad(true),
                Torch.randn(1, 4, 2).requiresGrad(true));
        // torchvision: pos_embedding.normal_(std=0.02)
        Torch.manualSeed(6);
        PositionEmbedding pe = new PositionEmbedding(197, 256);
        float[] w = pe.parameter("weight").toFloatArray();
        double sum = 0;
        double sq = 0;
        for (float v : w) {
            sum += v;
            sq += v * (double) v;
        }
        double mean = sum / w.length;
        double std = Math.sqrt(sq / w.length - mean * mean);
        assertEquals(0, mean, 5e-4, "mean of N(0, 0.02^2) over 50432 draws");
        assertEquals(0.02, std, 5e-4, "std");
        assertEquals(List.of("weight"), List.copyOf(pe.stateDict().keySet()));
        assertEquals("PositionEmbedding(length=197, dim=256)", pe.toString());
        var e = assertThrows(IllegalArgumentException.class, () -> pe.call(Torch.zeros(2, 196, 256)));
        assertEquals(
                "pos_embedding: expected input (N, 197, 256) for the embedding [1, 197, 256], got [2, 196, 256]",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> F.addPositionEmbedding(Torch.zeros(2, 3, 4), Torch.zeros(3, 4)));
        assertEquals("pos_embedding: expected an embedding of shape (1, L, D), got [3, 4]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PositionEmbedding(3, 0));
    }
}
