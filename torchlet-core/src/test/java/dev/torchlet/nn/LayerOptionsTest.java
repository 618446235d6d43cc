package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Options records of the convolutions and batch norm: PyTorch's defaults, with... methods, value
 * semantics, validation messages, and that the options path builds the same module as the old
 * positional constructors (same state dict, same output for the same seed).
 */
class LayerOptionsTest {
    private static void assertBad(String message, Executable e) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    /** Both modules built after the same seed: same state-dict names, shapes and values, same output and repr. */
    private static void assertSameModule(Supplier<Module> old, Supplier<Module> options, int... inputShape) {
        Torch.manualSeed(7);
        Module a = old.get();
        Torch.manualSeed(7);
        Module b = options.get();
        Map<String, Tensor> sa = a.stateDict();
        Map<String, Tensor> sb = b.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        sa.forEach((k, v) -> {
            assertArrayEquals(v.shape(), sb.get(k).shape(), k);
            assertClose(v, sb.get(k), 0, 0, k);
        });
        Torch.manualSeed(8);
        Tensor x = Torch.randn(inputShape);
        assertClose(a.forward(x), b.forward(x), 0, 0, "output");
        assertEquals(a.toString(), b.toString());
    }

    // ---------------------------------------------------------------- Conv2d

    @Test
    void conv2dDefaultsArePyTorchs() {
        Conv2dOptions o = Conv2dOptions.of(1, 32, 3);
        assertEquals(
                new Conv2dOptions(
                        1, 32, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true),
                o);
        assertArrayEquals(new int[] {3, 3}, o.kernelSize());
        assertArrayEquals(new int[] {1, 1}, o.stride());
        assertArrayEquals(new int[] {0, 0}, o.padding());
        assertArrayEquals(new int[] {1, 1}, o.dilation());
        assertEquals(1, o.groups());
        assertTrue(o.bias());
    }

    @Test
    void conv2dWithMethodsChangeOneField() {
        Conv2dOptions o = Conv2dOptions.of(4, 8, 3);
        assertEquals(
                new Conv2dOptions(
                        4, 8, new int[] {3, 5}, new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 3}, 2, false),
                o.withKernelSize(3, 5)
                        .withStride(2, 1)
                        .withPadding(1, 2)
                        .withDilation(2, 3)
                        .withGroups(2)
                        .withBias(false));
        assertArrayEquals(new int[] {5, 5}, o.withKernelSize(5).kernelSize());
        assertArrayEquals(new int[] {2, 2}, o.withStride(2).stride());
        assertArrayEquals(new int[] {1, 1}, o.withPadding(1).padding());
        assertArrayEquals(new int[] {3, 3}, o.withDilation(3).dilation());
        assertEquals(2, o.withInChannels(2).inChannels());
        assertEquals(16, o.withOutChannels(16).outChannels());
        assertEquals(Conv2dOptions.of(4, 8, 3), o, "with... returns a new record");
    }

    @Test
    void conv2dOptionsAreImmutableValues() {
        int[] k = {3, 3};
        Conv2dOptions o = new Conv2dOptions(1, 2, k, new int[] {1}, new int[] {0}, new int[] {1}, 1, true);
        k[0] = 9;
        o.kernelSize()[1] = 9;
        assertArrayEquals(new int[] {3, 3}, o.kernelSize(), "copied in and out");
        assertArrayEquals(new int[] {1, 1}, o.stride(), "one value means both");
        assertEquals(Conv2dOptions.of(1, 2, 3), o);
        assertEquals(Conv2dOptions.of(1, 2, 3).hashCode(), o.hashCode());
        assertNotEquals(Conv2dOptions.of(1, 2, 3).withBias(false), o);
        assertEquals(
                "Conv2dOptions[inChannels=1, outChannels=2, kernelSize=[3, 3], stride=[1, 1], padding=[0, 0], "
                        + "dilation=[1, 1], groups=1, bias=true]",
                o.toString());
    }

    @Test
    void conv2dOptionsRejectNonsense() {
        assertBad("Conv2d: inChannels must be >= 1, got 0", () -> Conv2dOptions.of(0, 8, 3));
        assertBad("Conv2d: outChannels must be >= 1, got -1", () -> Conv2dOptions.of(4, -1, 3));
        assertBad(
                "Conv2d: groups must be >= 1, got 0",
                () -> Conv2dOptions.of(4, 8, 3).withGroups(0));
        assertBad(
                "Conv2d: groups 3 must divide inChannels 32",
                () -> Conv2dOptions.of(32, 48, 3).withGroups(3));
        assertBad(
                "Conv2d: groups 4 must divide outChannels 6",
                () -> Conv2dOptions.of(8, 6, 3).withGroups(4));
        assertBad(
                "Conv2d: kernelSize must be >= 1, got [0, 3]",
                () -> Conv2dOptions.of(1, 1, 3).withKernelSize(0, 3));
        assertBad(
                "Conv2d: stride must be >= 1, got [0, 0]",
                () -> Conv2dOptions.of(1, 1, 3).withStride(0));
        assertBad(
                "Conv2d: padding must be >= 0, got [-1, -1]",
                () -> Conv2dOptions.of(1, 1, 3).withPadding(-1));
        assertBad(
                "Conv2d: dilation must be >= 1, got [1, 0]",
                () -> Conv2dOptions.of(1, 1, 3).withDilation(1, 0));
        assertBad(
                "Conv2d: stride needs 1 or 2 values (h, w), got [1, 1, 1]",
                () -> new Conv2dOptions(
                        1, 1, new int[] {3}, new int[] {1, 1, 1}, new int[] {0}, new int[] {1}, 1, true));
        assertBad(
                "Conv2d: padding needs 1 or 2 values (h, w), got null",
                () -> new Conv2dOptions(1, 1, new int[] {3}, new int[] {1}, null, new int[] {1}, 1, true));
        assertBad("Conv2d: groups 2 must divide inChannels 3", () -> new Conv2d(3, 4, 3, 1, 1, 1, 2, true));
    }

    @Test
    @SuppressWarnings("deprecation")
    void conv2dOptionsBuildTheSameLayerAsThePositionalConstructors() {
        assertSameModule(
                () -> new Conv2d(4, 6, 3, 2, 1, 2, 2, false),
                () -> new Conv2d(Conv2dOptions.of(4, 6, 3)
                        .withStride(2)
                        .withPadding(1)
                        .withDilation(2)
                        .withGroups(2)
                        .withBias(false)),
                2,
                4,
                9,
                9);
        assertSameModule(
                () -> new Conv2d(3, 4, new int[] {3, 1}, new int[] {1, 2}, new int[] {1, 0}, new int[] {1, 1}, 1, true),
                () -> new Conv2d(Conv2dOptions.of(3, 4, 3)
                        .withKernelSize(3, 1)
                        .withStride(1, 2)
                        .withPadding(1, 0)),
                1,
                3,
                6,
                7);
        assertSameModule(
                () -> new Conv2d(3, 4, 3, 2, 1),
                () -> new Conv2d(Conv2dOptions.of(3, 4, 3).withStride(2).withPadding(1)),
                1,
                3,
                8,
                8);
        Conv2dOptions o = Conv2dOptions.of(3, 4, 3).withPadding(1);
        assertSame(o, new Conv2d(o).options());
        assertEquals(Conv2dOptions.of(3, 4, 5), new Conv2d(3, 4, 5).options());
        assertEquals(o.withStride(2), new Conv2d(3, 4, 3, 2, 1).options());
        assertNull(new Conv2d(o.withBias(false)).bias());
    }

    // ---------------------------------------------------------------- Conv1d

    @Test
    void conv1dDefaultsWithAndValidation() {
        Conv1dOptions o = Conv1dOptions.of(3, 5, 3);
        assertEquals(new Conv1dOptions(3, 5, 3, 1, 0, 1, 1, true), o);
        assertEquals(
                new Conv1dOptions(2, 6, 5, 2, 2, 3, 2, false),
                o.withInChannels(2)
                        .withOutChannels(6)
                        .withKernelSize(5)
                        .withStride(2)
                        .withPadding(2)
                        .withDilation(3)
                        .withGroups(2)
                        .withBias(false));
        assertBad("Conv1d: kernelSize must be >= 1, got 0", () -> o.withKernelSize(0));
        assertBad("Conv1d: stride must be >= 1, got 0", () -> o.withStride(0));
        assertBad("Conv1d: padding must be >= 0, got -2", () -> o.withPadding(-2));
        assertBad("Conv1d: dilation must be >= 1, got 0", () -> o.withDilation(0));
        assertBad("Conv1d: groups 2 must divide inChannels 3", () -> o.withGroups(2));
    }

    @Test
    @SuppressWarnings("deprecation")
    void conv1dOptionsBuildTheSameLayerAsThePositionalConstructor() {
        assertSameModule(
                () -> new Conv1d(4, 6, 3, 2, 2, 2, 2, false),
                () -> new Conv1d(Conv1dOptions.of(4, 6, 3)
                        .withStride(2)
                        .withPadding(2)
                        .withDilation(2)
                        .withGroups(2)
                        .withBias(false)),
                2,
                4,
                11);
        assertSameModule(() -> new Conv1d(3, 5, 3), () -> new Conv1d(Conv1dOptions.of(3, 5, 3)), 2, 3, 7);
        assertEquals(Conv1dOptions.of(3, 5, 3), new Conv1d(3, 5, 3).options());
    }

    // ---------------------------------------------------------------- ConvTranspose2d

    @Test
    void convTranspose2dDefaultsWithAndValidation() {
        ConvTranspose2dOptions o = ConvTranspose2dOptions.of(4, 2, 3);
        assertEquals(
                new ConvTranspose2dOptions(
                        4, 2, new int[] {3}, new int[] {1}, new int[] {0}, new int[] {0}, 1, true, new int[] {1}),
                o);
        assertArrayEquals(new int[] {0, 0}, o.outputPadding());
        ConvTranspose2dOptions all = o.withKernelSize(4, 3)
                .withStride(2, 3)
                .withPadding(1, 0)
                .withOutputPadding(1, 2)
                .withGroups(2)
                .withBias(false)
                .withDilation(1, 2);
        assertEquals(
                new ConvTranspose2dOptions(
                        4,
                        2,
                        new int[] {4, 3},
                        new int[] {2, 3},
                        new int[] {1, 0},
                        new int[] {1, 2},
                        2,
                        false,
                        new int[] {1, 2}),
                all);
        assertEquals(
                all.hashCode(),
                new ConvTranspose2dOptions(
                                4,
                                2,
                                new int[] {4, 3},
                                new int[] {2, 3},
                                new int[] {1, 0},
                                new int[] {1, 2},
                                2,
                                false,
                                new int[] {1, 2})
                        .hashCode());
        assertEquals(
                all,
                o.withKernelSize(4, 3)
                        .withStride(2, 3)
                        .withPadding(1, 0)
                        .withOutputPadding(1, 2)
                        .withGroups(2)
                        .withBias(false)
                        .withDilation(1, 2));
        assertEquals(8, o.withInChannels(8).inChannels());
        assertEquals(6, o.withOutChannels(6).outChannels());
        assertArrayEquals(new int[] {5, 5}, o.withKernelSize(5).kernelSize());
        assertArrayEquals(new int[] {2, 2}, o.withDilation(2).dilation());
        assertTrue(o.toString().startsWith("ConvTranspose2dOptions[inChannels=4, outChannels=2, kernelSize=[3, 3]"));
        assertBad(
                "ConvTranspose2d: outputPadding [1, 1] must be smaller than stride [1, 1] or dilation [1, 1]",
                () -> o.withOutputPadding(1));
        assertBad("ConvTranspose2d: outputPadding must be >= 0, got [-1, -1]", () -> o.withOutputPadding(-1));
        assertBad("ConvTranspose2d: groups 4 must divide outChannels 2", () -> o.withGroups(4));
    }

    @Test
    @SuppressWarnings("deprecation")
    void convTranspose2dOptionsBuildTheSameLayerAsThePositionalConstructors() {
        assertSameModule(
                () -> new ConvTranspose2d(4, 2, 3, 2, 1, 1, 2, false, 1),
                () -> new ConvTranspose2d(ConvTranspose2dOptions.of(4, 2, 3)
                        .withStride(2)
                        .withPadding(1)
                        .withOutputPadding(1)
                        .withGroups(2)
                        .withBias(false)),
                2,
                4,
                5,
                5);
        assertSameModule(
                () -> new ConvTranspose2d(3, 2, 4, 2, 1),
                () -> new ConvTranspose2d(
                        ConvTranspose2dOptions.of(3, 2, 4).withStride(2).withPadding(1)),
                1,
                3,
                4,
                4);
        Tensor y = new ConvTranspose2d(3, 2, 3).forward(Torch.randn(1, 3, 4, 4));
        assertArrayEquals(new int[] {1, 2, 6, 6}, y.shape(), "stride 1, no padding: H' = H + k - 1");
    }

    // ---------------------------------------------------------------- BatchNorm

    @Test
    void batchNormDefaultsWithAndValidation() {
        BatchNormOptions o = BatchNormOptions.of(8);
        assertEquals(new BatchNormOptions(8, 1e-5, 0.1, true), o);
        assertEquals(
                new BatchNormOptions(4, 1e-3, 0.01, false),
                o.withNumFeatures(4).withEps(1e-3).withMomentum(0.01).withAffine(false));
        assertBad("BatchNorm: numFeatures must be >= 1, got 0", () -> BatchNormOptions.of(0));
        assertBad("BatchNorm: eps must be finite and >= 0, got -1.0E-5", () -> o.withEps(-1e-5));
        assertBad("BatchNorm: eps must be finite and >= 0, got NaN", () -> o.withEps(Double.NaN));
        assertBad("BatchNorm: momentum must be in [0, 1], got 1.5", () -> o.withMomentum(1.5));
        assertBad("BatchNorm: numFeatures must be >= 1, got -3", () -> new BatchNorm2d(-3));
    }

    @Test
    void batchNormOptionsBuildTheSameLayerAsThePositionalConstructors() {
        assertSameModule(
                () -> new BatchNorm2d(3, 1e-3, 0.3, true),
                () -> new BatchNorm2d(BatchNormOptions.of(3).withEps(1e-3).withMomentum(0.3)),
                4,
                3,
                2,
                2);
        assertSameModule(
                () -> new BatchNorm1d(5, 1e-5, 0.1, false),
                () -> new BatchNorm1d(BatchNormOptions.of(5).withAffine(false)),
                6,
                5);
        assertEquals(BatchNormOptions.of(3), new BatchNorm2d(3).options());
        assertNull(new BatchNorm1d(BatchNormOptions.of(5).withAffine(false)).weight());
        assertEquals(
                "BatchNorm2d(3, eps=0.001, momentum=0.3, affine=True, track_running_stats=True)",
                new BatchNorm2d(BatchNormOptions.of(3).withEps(1e-3).withMomentum(0.3)).toString());
    }

    @Test
    void batchNormCountsTrainingBatchesAndUpdatesRunningStatsWithItsMomentum() {
        BatchNorm2d bn = new BatchNorm2d(BatchNormOptions.of(2).withMomentum(0.5));
        Tensor x = Torch.tensor(new float[] {0, 2, 4, 6, 1, 1, 1, 1}, 2, 2, 1, 2); // (N=2, C=2, 1, 2)
        bn.forward(x);
        bn.forward(x);
        Map<String, Tensor> buffers = bn.namedBuffers();
        assertEquals(2, buffers.get("num_batches_tracked").toLongArray()[0]);
        // batch means 1 and 3 per channel; two updates with momentum 0.5: 0 -> 0.5 -> 0.75, 0 -> 1.5 -> 2.25
        assertClose(Torch.tensor(new float[] {0.75f, 2.25f}, 2), buffers.get("running_mean"), 1e-6, 1e-6, "mean");
        bn.eval();
        bn.forward(x);
        assertEquals(2, buffers.get("num_batches_tracked").toLongArray()[0], "eval does not count");
    }
}
