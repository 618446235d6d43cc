package dev.torchlet.vision.models;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.kernels.ConvPointwiseDepthwise;
import dev.torchlet.nn.Fusion;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batch-norm folding on whole zoo models (the parity fixtures' procedural weights, so the running
 * statistics are non-trivial): every conv -> batch-norm pair is found, and the folded model's logits equal
 * the original's within atol 1e-5 / rtol 1e-4 of the logits' scale. The same for {@link Fusion#fuseForInference},
 * which also fuses the activation after each pair (ResNet's blocks then skip their shared ReLU module there, and
 * end in one convolution that adds the shortcut and applies the ReLU, unless hooks ask for the separate steps) and
 * a max pooling right after such an activation (ResNet's, AlexNet's, VGG's and DenseNet's).
 */
class FusionZooTest {
    @ParameterizedTest
    @CsvSource({
        "resnet18, 20", // conv1/bn1, 2 per block x 8 blocks, 3 downsample pairs
        "mobilenet_v2, 52", // every Conv2dNormActivation and each block's projection
        "densenet121, 59", // the stem, and each of the 58 bottlenecks' conv1 -> norm2 (the other norms come first)
    })
    void foldingFindsEveryPairAndKeepsTheLogits(String name, int expectedPairs) {
        Zoo zoo = Zoo.of(name, 64, 0);
        Module model = zoo.model();
        Tensor x = zoo.x();
        Tensor before = zoo.before();
        Map<String, String> pairs = Fusion.fuseConvBn(model, x);
        assertEquals(expectedPairs, pairs.size(), name + " pairs: " + pairs);
        assertClose(before, logits(model, x), 1e-5, 1e-4, name + " logits after folding");
    }

    @ParameterizedTest
    @CsvSource({
        "resnet18, 20, 9, 1", // the stem's ReLU (and max pooling), each block's conv1 -> bn1 -> relu
        "resnet50, 53, 33, 1", // the stem, and each bottleneck's conv1 and conv2
        "mobilenet_v2, 52, 35, 0", // every Conv2dNormActivation's ReLU6 (the 17 projections have none)
        "vgg11, 8, 8, 5", // no batch norm: every conv -> ReLU, five of them -> max pooling
        "alexnet, 5, 5, 3", // conv -> ReLU -> max pooling three times
        "densenet121, 59, 59, 1", // the stem, and each dense layer's conv1 -> norm2 -> relu2
    })
    void inferenceFusionAlsoFusesTheActivationsAndKeepsTheLogits(String name, int convs, int activations, int pools) {
        Zoo zoo = Zoo.of(name, 64, 0);
        Module model = zoo.model();
        Tensor x = zoo.x();
        Tensor before = zoo.before();
        Map<String, List<String>> fused = Fusion.fuseForInference(model, x);
        assertEquals(convs, fused.size(), name + ": " + fused);
        long withActivation = fused.keySet().stream()
                .filter(path -> model.getSubmodule(path) instanceof dev.torchlet.nn.ConvActivation2d)
                .count();
        assertEquals(activations, withActivation, name + ": " + fused);
        long withPooling = fused.keySet().stream()
                .filter(path -> model.getSubmodule(path) instanceof dev.torchlet.nn.ConvActivationPool2d)
                .count();
        assertEquals(pools, withPooling, name + ": " + fused);
        assertClose(before, logits(model, x), 1e-5, 1e-4, name + " logits after fusion");
    }

    @Test
    void aFusedResNetBlockEndingStillRunsItsConvAndReluHooks() {
        Zoo zoo = Zoo.of("resnet18", 64, 0);
        Module model = zoo.model();
        Tensor x = zoo.x();
        Tensor before = zoo.before();
        Fusion.fuseForInference(model, x); // each block ends in one conv + shortcut + ReLU unless hooks are set
        List<int[]> convOutputs = new ArrayList<>();
        int[] reluCalls = {0};
        try (var convHook = model.getSubmodule("layer1.0.conv2").registerForwardHook((m, in, out) -> {
                    convOutputs.add(out.shape());
                    return null;
                });
                var reluHook = model.getSubmodule("layer1.0.relu").registerForwardHook((m, in, out) -> {
                    reluCalls[0]++;
                    return null;
                })) {
            assertClose(before, logits(model, x), 1e-5, 1e-4, "resnet18 with hooks on a block's ending");
            assertEquals(1, convOutputs.size(), "layer1.0.conv2 runs as itself, its hook sees its output");
            assertArrayEquals(new int[] {1, 64, 16, 16}, convOutputs.get(0));
            assertEquals(1, reluCalls[0], "the ending's ReLU (conv1's is fused into conv1)");
        }
        assertClose(before, logits(model, x), 1e-5, 1e-4, "resnet18 after the hooks are removed");
    }

    @Test
    void aFusedMobileNetShortcutStillRunsItsProjectionHook() {
        Zoo zoo = Zoo.of("mobilenet_v2", 64, 0);
        Module model = zoo.model();
        Tensor x = zoo.x();
        Tensor before = zoo.before();
        Fusion.fuseForInference(model, x); // features.3 (24 -> 24, stride 1) adds its input in its projection
        List<int[]> projections = new ArrayList<>();
        try (var hook = model.getSubmodule("features.3.conv.2").registerForwardHook((m, in, out) -> {
            projections.add(out.shape());
            return null;
        })) {
            assertClose(before, logits(model, x), 1e-5, 1e-4, "mobilenet_v2 with a hook on a projection");
            assertEquals(1, projections.size(), "the projection runs as itself, without the shortcut");
            assertArrayEquals(new int[] {1, 24, 16, 16}, projections.get(0));
        }
        assertClose(before, logits(model, x), 1e-5, 1e-4, "mobilenet_v2 after the hook is removed");
    }

    @Test
    void mobileNetAt224RunsItsLargeExpansionsFusedAndKeepsTheLogits() {
        // the second block's expansion (96 x 112 x 112, 4.8 MB) and the third's are large enough for the one-pass
        // expansion + depthwise (Convolution.pointwiseDepthwise); the later, smaller ones run as two convolutions
        assertTrue(ConvPointwiseDepthwise.pays(1, 96, 112, 112, 2));
        assertTrue(!ConvPointwiseDepthwise.pays(1, 384, 14, 14, 1));
        Zoo zoo = Zoo.of("mobilenet_v2", 224, 1);
        Module model = zoo.model();
        Tensor x = zoo.x();
        Tensor before = zoo.before();
        Fusion.fuseForInference(model, x);
        assertClose(before, logits(model, x), 1e-5, 1e-4, "mobilenet_v2 at 224 x 224 after fusion");
        // channels-last: the large blocks run as one pass each (Convolution.invertedResidual; two threads: 112 x 112
        // to 28 x 28)
        Tensor cl = x.contiguous(MemoryFormat.CHANNELS_LAST);
        assertClose(before, logits(model, cl), 1e-5, 1e-4, "mobilenet_v2 at 224 x 224 channels-last after fusion");
    }

    @ParameterizedTest
    @CsvSource({"resnet18", "resnet50", "mobilenet_v2", "alexnet", "densenet121"})
    void aChannelsLastInputGivesTheSameLogitsBeforeAndAfterFusion(String name) {
        // unfused: the batch norms and activations keep the layout too; fused: ResNet's block endings (conv + shortcut
        // + ReLU), MobileNet's expansion + depthwise pairs and the convolutions + max poolings (ResNet's, AlexNet's
        // and DenseNet's) run on the channels-last kernels
        Zoo zoo = Zoo.of(name, 64, 2);
        Module model = zoo.model();
        Tensor cl = zoo.x().contiguous(MemoryFormat.CHANNELS_LAST);
        assertClose(zoo.before(), logits(model, cl), 1e-5, 1e-4, name + " channels-last, unfused");
        Fusion.fuseForInference(model, zoo.x());
        assertClose(zoo.before(), logits(model, cl), 1e-5, 1e-4, name + " channels-last, fused");
        assertClose(zoo.before(), logits(model, zoo.x()), 1e-5, 1e-4, name + " NCHW after channels-last calls");
    }

    @ParameterizedTest
    @CsvSource({"resnet18", "resnet50", "mobilenet_v2"})
    void inferenceModeRecyclesActivationsWithoutChangingAValue(String name) {
        // the blocks hand their intermediate outputs back to the pool, the next image's convolutions write into them
        Zoo zoo = Zoo.of(name, 64, 3);
        Module model = zoo.model();
        Fusion.fuseForInference(model, zoo.x());
        Torch.manualSeed(4);
        Tensor other = Torch.randn(1, 3, 64, 64);
        Tensor want = logits(model, zoo.x().contiguous(MemoryFormat.CHANNELS_LAST));
        Tensor wantOther = logits(model, other.contiguous(MemoryFormat.CHANNELS_LAST));
        try (var s = Torch.inferenceMode()) {
            for (int round = 0; round < 2; round++) {
                Tensor y = model.call(zoo.x().contiguous(MemoryFormat.CHANNELS_LAST));
                Tensor yOther = model.call(other.contiguous(MemoryFormat.CHANNELS_LAST));
                assertArrayEquals(want.toFloatArray(), y.toFloatArray(), name + " round " + round);
                assertArrayEquals(wantOther.toFloatArray(), yOther.toFloatArray(), name + " round " + round);
            }
        } finally {
            dev.torchlet.InferenceMode.clearPool();
        }
    }

    @ParameterizedTest
    @CsvSource({"resnet18", "resnet50", "mobilenet_v2"})
    void aFrozenModelInTrainingModeRecyclesWithoutChangingAValue(String name) {
        // a transfer-learning backbone: frozen, batch norms on batch statistics, grad mode on. Its forward records no
        // graph, so the blocks hand their activations back to the pool outside inference mode too; a hook on the
        // model turns that off, which gives the reference (the seed before each call: MobileNetV2's dropout)
        Zoo zoo = Zoo.of(name, 64, 5);
        Module model = zoo.model();
        model.train();
        model.requiresGrad(false);
        Torch.manualSeed(6);
        Tensor x = Torch.randn(2, 3, 64, 64).contiguous(MemoryFormat.CHANNELS_LAST);
        Tensor other = Torch.randn(2, 3, 64, 64).contiguous(MemoryFormat.CHANNELS_LAST);
        float[] want;
        float[] wantOther;
        try (var hook = model.registerForwardHook((m, in, out) -> null)) {
            want = seeded(1, () -> model.call(x)).toFloatArray();
            wantOther = seeded(2, () -> model.call(other)).toFloatArray();
        }
        try {
            for (int round = 0; round < 2; round++) {
                Tensor y = seeded(1, () -> model.call(x));
                Tensor yOther = seeded(2, () -> model.call(other));
                assertArrayEquals(want, y.toFloatArray(), name + " round " + round);
                assertArrayEquals(wantOther, yOther.toFloatArray(), name + " round " + round);
            }
        } finally {
            dev.torchlet.InferenceMode.clearPool();
        }
    }

    private static Tensor seeded(long seed, java.util.function.Supplier<Tensor> call) {
        Torch.manualSeed(seed);
        return call.get();
    }

    /** A zoo model with procedural weights in eval mode, a seeded input batch of one size x size image, its logits. */
    private record Zoo(Module model, Tensor x, Tensor before) {
        static Zoo of(String name, int size, long seed) {
            Module model = Models.create(name, 10);
            ProceduralWeights.fill(model);
            model.eval();
            Torch.manualSeed(seed);
            Tensor x = Torch.randn(1, 3, size, size);
            return new Zoo(model, x, logits(model, x));
        }
    }

    private static Tensor logits(Module model, Tensor x) {
        try (var g = Torch.noGrad()) {
            return model.call(x);
        }
    }
}
