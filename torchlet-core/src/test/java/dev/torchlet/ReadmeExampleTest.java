package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.CrossEntropyLoss;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.RotaryEmbedding;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.Transformer;
import dev.torchlet.nn.TransformerOptions;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's examples, verbatim between the markers (checked against README.md), must run and work. */
class ReadmeExampleTest {
    @Test
    void trainingExampleLearnsXor() {
        // spotless:off (the README shows this block as it is)
        // README-BEGIN
        Torch.manualSeed(0);
        Tensor x = Torch.randn(512, 2);                                        // (N, 2) points
        Tensor y = x.select(1, 0).mul(x.select(1, 1)).gt(0f).to(DType.INT64); // label: same sign (XOR)

        var model = new Sequential(new Linear(2, 32), new ReLU(), new Linear(32, 2));
        var lossFn = new CrossEntropyLoss();
        var optimizer = new Adam(model.parameters(), 0.01);

        for (int step = 0; step < 300; step++) {
            optimizer.zeroGrad();
            Tensor loss = lossFn.call(model.call(x), y);         // logits (N, 2) vs labels (N)
            loss.backward();
            optimizer.step();
        }
        float accuracy;
        try (var g = Torch.noGrad()) {
            accuracy = model.call(x).argmax(1).eq(y).to(DType.FLOAT32).mean().item();
        }
        System.out.printf("train accuracy: %.1f%%%n", 100 * accuracy);
        // README-END
        // spotless:on
        assertTrue(accuracy > 0.95f, "accuracy " + accuracy);
    }

    @Test
    void surgeryExampleTakesFeaturesFreezesAndSwapsTheHead() {
        // spotless:off (the README shows this block as it is)
        // README-SURGERY-BEGIN
        var model = new Sequential(
                new Sequential(new Conv2d(3, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU()),   // "0": stem
                new Sequential(new Conv2d(16, 32, 3, 2, 1), new BatchNorm2d(32), new ReLU()),  // "1": stage
                new Sequential(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(32, 10)));  // "2": head
        Module stage = model.getSubmodule("1");                     // like PyTorch's get_submodule
        var features = new LinkedHashMap<String, Tensor>();
        try (var hook = stage.registerForwardHook((m, in, out) -> {
            features.put("stage", out);                             // (2, 32, 16, 16)
            return null;                                            // null: keep the output
        })) {
            model.call(Torch.rand(2, 3, 32, 32));                   // hooks run in call(...)
        }
        model.freeze("0", "1.*");                                   // no gradients; frozen BatchNorm stays in eval
        model.replaceModule("2.2", new Linear(32, 5));              // a new head for 5 classes
        var trainable = model.parameters().stream().filter(Tensor::requiresGrad).toList();
        var optimizer = new Adam(trainable, 1e-3);
        // README-SURGERY-END
        // spotless:on
        assertArrayEquals(new int[] {2, 32, 16, 16}, features.get("stage").shape());
        assertEquals(2, trainable.size());
        assertArrayEquals(new int[] {2, 5}, model.call(Torch.rand(2, 3, 32, 32)).shape());
        model.train();
        assertEquals(false, model.getSubmodule("1.1").isTraining());
        optimizer.zeroGrad();
    }

    @Test
    void transformerExampleRuns() {
        // spotless:off (the README shows this block as it is)
        // README-TRANSFORMER-BEGIN
        Torch.manualSeed(0);
        var model = new Transformer(TransformerOptions.of(32, 4, 2, 2).withDimFeedforward(64).withBatchFirst(true));
        Tensor src = Torch.randn(8, 10, 32);                              // (B, S, E)
        Tensor tgt = Torch.randn(8, 7, 32);                               // (B, T, E)
        Tensor causal = Transformer.generateSquareSubsequentMask(7);      // (T, T): -inf above the diagonal
        Tensor out = model.call(src, tgt, null, causal, null, null, null, null);  // (8, 7, 32)
        var names = model.stateDict().keySet();     // encoder.layers.0.self_attn.in_proj_weight, ..., decoder.norm.bias

        Tensor q = Torch.randn(2, 4, 16, 8);                              // (B, heads, T, headDim)
        Tensor k = new RotaryEmbedding(8).call(Torch.randn(2, 4, 16, 8)); // RoPE on keys (and queries)
        Tensor y = F.scaledDotProductAttention(new RotaryEmbedding(8).call(q), k, q, null, 0.0, true);  // causal
        // README-TRANSFORMER-END
        // spotless:on
        assertArrayEquals(new int[] {8, 7, 32}, out.shape());
        assertTrue(names.contains("encoder.layers.0.self_attn.in_proj_weight") && names.contains("decoder.norm.bias"));
        assertArrayEquals(new int[] {2, 4, 16, 8}, y.shape());
    }

    @Test
    void readmeShowsTheExamplesVerbatim() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String test = Files.readString(Path.of("src/test/java/dev/torchlet/ReadmeExampleTest.java"));
        for (String marker : List.of("README", "README-SURGERY", "README-TRANSFORMER")) {
            int from = test.indexOf("// " + marker + "-BEGIN\n") + marker.length() + 10;
            String body = test.substring(from, test.indexOf("        // " + marker + "-END"));
            String unindented = body.lines()
                    .map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                    .reduce("", (a, b) -> a + b + "\n");
            assertTrue(readme.contains(unindented), marker + " example differs from README.md:\n" + unindented);
        }
    }
}
