package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Tensor;
import dev.torchlet.testing.Golden;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Layer modules against torch.nn (tools/golden/gen_layers.py): PyTorch's parameters and buffers
 * are loaded by state-dict name (so names and shapes must match), then output, input gradient,
 * parameter gradients and buffers after the step are compared. Tolerance atol 1e-5, rtol 1e-4.
 */
class LayerGoldenTest {
    private static Tensor g(String key) {
        return Golden.get("layers", key);
    }

    private static Map<String, Tensor> withPrefix(String prefix) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        Golden.load("layers").forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    private static void check(String name, Supplier<Module> make, boolean train) {
        Module m = make.get();
        m.train(train);
        m.loadStateDict(withPrefix(name + ".param."));
        Tensor x = g(name + ".x").clone().requiresGrad(true);
        Tensor y = m.forward(x);
        assertClose(g(name + ".y"), y, 1e-5, 1e-4, name + " output");
        y.backward(g(name + ".g"));
        assertClose(g(name + ".gx"), x.grad(), 1e-5, 1e-4, name + " input grad");
        m.namedParameters()
                .forEach((k, p) -> assertClose(g(name + ".grad." + k), p.grad(), 1e-5, 1e-4, name + " grad " + k));
        Map<String, Tensor> after = withPrefix(name + ".after.");
        assertEquals(after.keySet(), m.namedBuffers().keySet(), name + " buffer names");
        m.namedBuffers().forEach((k, b) -> assertClose(after.get(k), b, 1e-5, 1e-4, name + " buffer " + k));
    }

    @Test
    void convolutions() {
        check("conv2d", () -> new Conv2d(3, 4, 3, 2, 1), true);
        check("conv2d_groups", () -> new Conv2d(4, 6, 3, 1, 1, 1, 2, false), true);
        check("conv1d", () -> new Conv1d(3, 5, 3, 1, 2, 2, 1, true), true);
        check("convt2d", () -> new ConvTranspose2d(3, 2, 3, 2, 1, 1, 1, true, 1), true);
    }

    @Test
    void pooling() {
        check("maxpool2d", () -> new MaxPool2d(3, 2, 1, 1, false), true);
        check("maxpool1d", () -> new MaxPool1d(2), true);
        check("avgpool2d", () -> new AvgPool2d(2), true);
        check("adaptive_avg", () -> new AdaptiveAvgPool2d(3, 2), true);
        check("adaptive_max", () -> new AdaptiveMaxPool2d(2), true);
    }

    @Test
    void normalization() {
        check("bn2d_train", () -> new BatchNorm2d(3), true);
        check("bn2d_eval", () -> new BatchNorm2d(3), false);
        check("bn1d_train", () -> new BatchNorm1d(5), true);
        check("layernorm", () -> new LayerNorm(6), true);
        check("groupnorm", () -> new GroupNorm(2, 4), true);
    }

    @Test
    void upsampling() {
        check("upsample_nearest", () -> new Upsample(2.0, "nearest"), true);
        check("upsample_bilinear", () -> new Upsample(2.0, "bilinear"), true);
        check("upsample_bilinear_ac", () -> new Upsample(new int[] {5, 9}, null, "bilinear", true), true);
        check("upsample_bilinear_down", () -> new Upsample(new int[] {4, 3}, null, "bilinear", false), true);
    }

    @Test
    void transformerEncoderLayers() {
        check("encoder", () -> new TransformerEncoderLayer(8, 2, 16, 0.0, "relu", 1e-5, true, false), true);
        check("encoder_prenorm", () -> new TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", 1e-5, true, true), true);
    }

    @Test
    void embeddingWithPaddingIndex() {
        Embedding e = new Embedding(10, 4, 2);
        e.loadStateDict(withPrefix("embedding.param."));
        Tensor y = e.forward(g("embedding.idx"));
        assertClose(g("embedding.y"), y, 0, 0, "embedding output");
        y.backward(g("embedding.g"));
        assertClose(g("embedding.grad.weight"), e.weight().grad(), 1e-6, 1e-5, "embedding grad (padding row zero)");
    }
}
