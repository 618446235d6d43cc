package dev.torchlet.vision;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.Module;
import dev.torchlet.testing.ConcurrentCalls;
import dev.torchlet.vision.features.FeatureExtractor;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.models.VisionTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Concurrent inference on one model instance per zoo family (issue #18): in eval mode, with and without
 * {@code Torch.noGrad()} (a server may forget it), several threads calling the same instance at once on
 * inputs of different batch sizes get exactly what sequential calls got. Small images keep it fast.
 */
class ConcurrentInferenceTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 2;
    /** Batch sizes of the inputs; threads start at different inputs, so different sizes run at once. */
    private static final int[] BATCHES = {1, 3, 2, 1};

    static Stream<Arguments> families() {
        return Stream.of(
                zoo("alexnet", 64), // needs 63 pixels or more
                zoo("vgg11_bn", 32),
                zoo("resnet18", 32),
                zoo("squeezenet1_1", 32),
                zoo("densenet121", 32),
                zoo("mobilenet_v2", 32),
                zoo("mobilenet_v3_small", 32),
                zoo("efficientnet_b0", 32),
                zoo("convnext_tiny", 32),
                Arguments.of(
                        "vit (2 layers, 32 px, patch 8)",
                        (Function<Integer, Module>) ConcurrentInferenceTest::tinyVit,
                        32));
    }

    /** torchvision zero-initializes the ViT head; random head weights make the logits depend on the input. */
    private static Module tinyVit(int numClasses) {
        var vit = new VisionTransformer(
                VisionTransformer.Options.of(32, 8, 2, 4, 64, 128).withNumClasses(numClasses));
        Init.normal(vit.getParameter("heads.head.weight"), 0, 0.02);
        return vit;
    }

    private static Arguments zoo(String name, int size) {
        return Arguments.of(name, (Function<Integer, Module>) c -> Models.create(name, c), size);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void concurrentCallsInEvalModeMatchSequentialOnes(String name, Function<Integer, Module> factory, int size) {
        Torch.manualSeed(18);
        Module model = factory.apply(10).eval();
        List<Tensor> inputs = new ArrayList<>();
        for (int b : BATCHES) {
            inputs.add(Torch.randn(b, 3, size, size));
        }
        assertUsefulOutputs(name, model, inputs);
        ConcurrentCalls.assertSameAsSequentialTensors(
                name + ", noGrad",
                inputs.size(),
                i -> {
                    try (var g = Torch.noGrad()) {
                        return model.call(inputs.get(i));
                    }
                },
                THREADS,
                ROUNDS);
        // grad mode on (the default on every new thread): each call records its own graph
        ConcurrentCalls.assertSameAsSequentialTensors(
                name + ", grad mode on", inputs.size(), i -> model.call(inputs.get(i)), THREADS, ROUNDS);
    }

    /** A race shows as a difference only if outputs depend on the input: finite, and not all alike. */
    static void assertUsefulOutputs(String name, Module model, List<Tensor> inputs) {
        try (var g = Torch.noGrad()) {
            float[] y = model.call(inputs.get(1)).toFloatArray();
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : y) {
                assertTrue(Float.isFinite(v), name + ": output not finite");
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max > min, name + ": constant output " + min);
        }
    }

    /**
     * Feature extraction installs forward hooks on the shared model for the length of one call: concurrent
     * extractions, and plain calls running meanwhile, must each see only their own forward pass.
     */
    @Test
    void featureExtractionAndPlainCallsConcurrently() {
        Torch.manualSeed(18);
        Module model = Models.create("resnet18", 10).eval();
        FeatureExtractor extractor = FeatureExtractor.of(model, "layer2", "layer3");
        List<Tensor> inputs = new ArrayList<>();
        for (int b : new int[] {1, 2, 3, 1, 2, 1}) {
            inputs.add(Torch.randn(b, 3, 32, 32));
        }
        IntFunction<List<ConcurrentCalls.Output>> call = i -> {
            try (var g = Torch.noGrad()) {
                if (i % 2 == 1) {
                    return List.of(ConcurrentCalls.Output.of(model.call(inputs.get(i))));
                }
                List<ConcurrentCalls.Output> out = new ArrayList<>();
                extractor.extract(inputs.get(i)).values().forEach(t -> out.add(ConcurrentCalls.Output.of(t)));
                return out;
            }
        };
        ConcurrentCalls.assertSameAsSequential("resnet18 feature extraction", inputs.size(), call, THREADS, ROUNDS);
    }

    /** Virtual threads (a server's request handlers may be ones) hold per-thread kernel buffers too. */
    @Test
    void virtualThreads() {
        Torch.manualSeed(18);
        Module model = Models.create("resnet18", 10).eval();
        List<Tensor> inputs = new ArrayList<>();
        for (int b : BATCHES) {
            inputs.add(Torch.randn(b, 3, 32, 32));
        }
        ConcurrentCalls.assertSameAsSequential(
                "resnet18 on virtual threads",
                inputs.size(),
                i -> {
                    try (var g = Torch.noGrad()) {
                        return List.of(ConcurrentCalls.Output.of(model.call(inputs.get(i))));
                    }
                },
                THREADS * 2,
                ROUNDS,
                Thread.ofVirtual().factory());
    }
}
