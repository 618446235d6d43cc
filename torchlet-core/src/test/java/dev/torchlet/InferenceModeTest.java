package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.GELU;
import dev.torchlet.nn.LayerNorm;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.Sigmoid;
import dev.torchlet.nn.Tanh;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Torch.inferenceMode(): no graph, and intermediate activations recycled through the buffer pool without changing a
 * single value, never touching inputs, outputs, parameters or what hooks see.
 */
class InferenceModeTest {
    /** Three channels-last 3x3 convolutions: their outputs come from the pool, the first two are intermediates. */
    private static Sequential threeConvolutions() {
        Torch.manualSeed(7);
        return new Sequential(
                new Conv2d(8, 16, 3, 1, 1), new ReLU(), new Conv2d(16, 16, 3, 1, 1), new Conv2d(16, 8, 3));
    }

    private static Tensor image(long seed) {
        Torch.manualSeed(seed);
        return Torch.randn(2, 8, 10, 10).contiguous(MemoryFormat.CHANNELS_LAST);
    }

    private static float[] noGrad(Module m, Tensor x) {
        try (var g = Torch.noGrad()) {
            return m.call(x).toFloatArray();
        }
    }

    /** Puts `copies` NaN-filled arrays of each length into the pool (inside an inference-mode scope). */
    private static void poisonPool(int copies, int... lengths) {
        for (int n : lengths) {
            for (int c = 0; c < copies; c++) {
                Storage poison = InferenceMode.outputStorage(n);
                Arrays.fill(poison.floats(), Float.NaN);
                InferenceMode.recycle(TensorInternals.wrap(poison, 0, new int[] {n}, new int[] {1}));
            }
        }
    }

    @AfterEach
    void emptyThePool() {
        InferenceMode.clearPool();
    }

    @Test
    void theScopeRecordsNoGraphAndRestoresTheModes() {
        assertFalse(InferenceMode.isEnabled());
        try (var s = Torch.inferenceMode()) {
            assertTrue(InferenceMode.isEnabled());
            assertFalse(Torch.isGradEnabled());
            Tensor w = Torch.ones(3).requiresGrad(true);
            assertFalse(w.mul(w).requiresGrad());
            try (var inner = Torch.enableGrad()) {
                assertTrue(InferenceMode.isEnabled(), "enableGrad inside leaves inference mode on");
            }
        }
        assertFalse(InferenceMode.isEnabled());
        assertTrue(Torch.isGradEnabled());
    }

    @Test
    void recyclesIntermediatesWithoutChangingTheOutputs() {
        Sequential net = threeConvolutions();
        Tensor x1 = image(1);
        Tensor x2 = image(2);
        float[] want1 = noGrad(net, x1);
        float[] want2 = noGrad(net, x2);
        try (var s = Torch.inferenceMode()) {
            Tensor y1 = net.call(x1);
            assertTrue(InferenceMode.pooledFloats() > 0, "the intermediates went back to the pool");
            Tensor y2 = net.call(x2); // reuses the first call's intermediate arrays
            Tensor y1Again = net.call(x1);
            assertArrayEquals(want1, y1.toFloatArray(), "an earlier output is never recycled");
            assertArrayEquals(want2, y2.toFloatArray());
            assertArrayEquals(want1, y1Again.toFloatArray());
            assertEquals(x1.toString(), image(1).toString(), "the input is untouched");
        }
    }

    /** NaN-filled arrays of every intermediate's length wait in the pool: a kernel must write all it outputs. */
    @Test
    void pooledArraysAreWrittenWhole() {
        Sequential net = threeConvolutions();
        Tensor x = image(3);
        float[] want = noGrad(net, x);
        try (var s = Torch.inferenceMode()) {
            poisonPool(2, 2 * 16 * 10 * 10, 2 * 8 * 8 * 8);
            assertArrayEquals(want, net.call(x).toFloatArray());
        }
    }

    /**
     * A released array serves any tensor it is long enough for, the most recently released first: a NaN array
     * longer than every intermediate changes nothing, and the storage over it holds just the tensor's values.
     */
    @Test
    void aLongerRecycledArrayServesASmallerTensor() {
        Sequential net = threeConvolutions();
        Tensor x = image(5);
        float[] want = noGrad(net, x);
        try (var s = Torch.inferenceMode()) {
            poisonPool(1, 100_000);
            Tensor y = net.call(x);
            assertArrayEquals(want, y.toFloatArray());
            assertEquals(y.numel(), TensorInternals.storage(y).length());
            assertArrayEquals(want, net.call(x).toFloatArray());

            InferenceMode.clearPool();
            poisonPool(1, 5000, 100_000); // the most recent one that fits snugly wins over a huge one
            Storage snug = InferenceMode.outputStorage(4000);
            assertEquals(5000, snug.floats().length);
            assertEquals(4000, snug.length());
        }
    }

    /** Linear layers' outputs (bias rows, then the GEMM) come from the pool too: poisoned arrays change nothing. */
    @Test
    void linearLayersWriteTheirPooledOutputsWhole() {
        Torch.manualSeed(11);
        Sequential mlp = new Sequential(new Linear(8, 16), new Linear(16, 16), new Linear(16, 4, false));
        Tensor x = Torch.randn(3, 8);
        float[] want = noGrad(mlp, x);
        try (var s = Torch.inferenceMode()) {
            poisonPool(2, 3 * 16, 3 * 4);
            assertArrayEquals(want, mlp.call(x).toFloatArray());
            assertArrayEquals(want, mlp.call(x).toFloatArray());
        }
    }

    /**
     * A Linear large enough for the packed GEMM packs its weight once and keeps it with the weight's storage: the
     * same bits as without inference mode, and a changed weight (copyFrom, as loading or an optimizer step) is packed
     * again. One weight is a transposed view, as an imported ONNX MatMul's is.
     */
    @Test
    void linearLayersPackTheirWeightsOnceAndSeeChanges() {
        Torch.manualSeed(13);
        Linear wide = new Linear(200, 96);
        Tensor x = Torch.randn(64, 200);
        Tensor stored = Torch.randn(96, 80); // (K, N): the layer's weight is its transpose, read in place
        Tensor y = Torch.randn(64, 96);
        float[] want = noGrad(wide, x);
        float[] wantView;
        try (var g = Torch.noGrad()) {
            wantView = dev.torchlet.nn.functional.F.linear(y, stored.t(), null).toFloatArray();
        }
        try (var s = Torch.inferenceMode()) {
            assertArrayEquals(want, wide.call(x).toFloatArray());
            Object packed = TensorInternals.storage(wide.weight()).derived();
            assertTrue(packed != null, "the packed weight is kept with the weight's storage");
            assertArrayEquals(want, wide.call(x).toFloatArray());
            assertTrue(packed == TensorInternals.storage(wide.weight()).derived(), "packed once");
            assertArrayEquals(
                    wantView,
                    dev.torchlet.nn.functional.F.linear(y, stored.t(), null).toFloatArray());
        }
        Tensor newWeight = Torch.randn(96, 200);
        try (var g = Torch.noGrad()) {
            wide.weight().copyFrom(newWeight);
        }
        float[] changed = noGrad(wide, x);
        assertFalse(Arrays.equals(want, changed));
        try (var s = Torch.inferenceMode()) {
            assertArrayEquals(changed, wide.call(x).toFloatArray());
        }
    }

    /**
     * The elementwise ops, layer norm and channels-last max pooling write their pooled outputs whole too: NaN arrays
     * of every intermediate's length wait in the pool.
     */
    @Test
    void elementwiseNormAndPoolingOutputsAreWrittenWhole() {
        Torch.manualSeed(12);
        Sequential mlp =
                new Sequential(new Linear(8, 16), new GELU(), new LayerNorm(16), new Tanh(), new Linear(16, 4));
        Tensor x = Torch.randn(3, 8);
        Sequential cnn =
                new Sequential(new Conv2d(8, 16, 3, 1, 1), new MaxPool2d(2), new Sigmoid(), new Conv2d(16, 8, 1));
        Tensor image = image(8);
        float[] wantMlp = noGrad(mlp, x);
        float[] wantCnn = noGrad(cnn, image);
        try (var s = Torch.inferenceMode()) {
            poisonPool(3, 3 * 16, 3 * 4, 2 * 16 * 10 * 10, 2 * 16 * 5 * 5, 2 * 8 * 5 * 5);
            assertArrayEquals(wantMlp, mlp.call(x).toFloatArray());
            assertArrayEquals(wantCnn, cnn.call(image).toFloatArray());
        }
    }

    /** A user's module that keeps its input: reading it after the call fails clearly instead of reading garbage. */
    @Test
    void aKeptIntermediateFailsClearly() {
        Keep keep = new Keep();
        Torch.manualSeed(7);
        Sequential net = new Sequential(new Conv2d(8, 16, 3, 1, 1), keep, new Conv2d(16, 8, 3));
        try (var s = Torch.inferenceMode()) {
            net.call(image(4));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> keep.kept.toFloatArray());
        assertTrue(e.getMessage().contains("Torch.inferenceMode()"), e.getMessage());
        assertTrue(e.getMessage().contains("clone()"), e.getMessage());
    }

    /** With a hook registered anywhere nothing is recycled: what hooks capture stays valid. */
    @Test
    void hooksTurnRecyclingOff() {
        Sequential net = threeConvolutions();
        Tensor x = image(5);
        Tensor[] seen = new Tensor[1];
        try (var hook = net.get(0).registerForwardHook((m, in, out) -> {
                    seen[0] = out;
                    return null;
                });
                var s = Torch.inferenceMode()) {
            net.call(x);
            net.call(image(6));
            assertEquals(0, InferenceMode.pooledFloats(), "nothing recycled while the hook is there");
        }
        assertArrayEquals(noGrad(net.get(0), image(6)), seen[0].toFloatArray(), "the hooked output is intact");
        try (var s = Torch.inferenceMode()) {
            net.call(x);
            assertTrue(InferenceMode.pooledFloats() > 0, "recycling resumes once the hook is removed");
        }
    }

    @Test
    void aHookOnAnotherModelChangesNothingHere() {
        Sequential net = threeConvolutions();
        Sequential other = threeConvolutions();
        try (var hook = other.get(0).registerForwardHook((m, in, out) -> null);
                var s = Torch.inferenceMode()) {
            net.call(image(7));
            assertTrue(InferenceMode.pooledFloats() > 0);
        }
    }

    /** conv, batch norm (training mode), ReLU, conv, all frozen but the last conv when asked: channels-last input. */
    private static Sequential frozenConvBnReluConv(boolean lastTrainable) {
        Torch.manualSeed(11);
        Sequential net =
                new Sequential(new Conv2d(8, 16, 3, 1, 1), new BatchNorm2d(16), new ReLU(), new Conv2d(16, 8, 3));
        net.requiresGrad(false);
        net.get(3).requiresGrad(lastTrainable);
        return net;
    }

    /** A hook on the model keeps every intermediate (nothing is recycled): the reference run. */
    private static Tensor withoutRecycling(Module net, Supplier<Tensor> run) {
        try (var hook = net.registerForwardHook((m, in, out) -> null)) {
            Tensor y = run.get();
            assertEquals(0, InferenceMode.pooledFloats(), "nothing recycled while a hook is there");
            return y;
        }
    }

    /**
     * Outside inference mode, grad mode on: a frozen network's forward records no graph, so its intermediates go back
     * to the pool as in inference mode, and NaN-poisoned recycled arrays change no value (batch norm in training mode
     * included).
     */
    @Test
    void aFrozenNetworkRecyclesItsIntermediatesOutsideInferenceMode() {
        Sequential net = frozenConvBnReluConv(false);
        Tensor x = image(8);
        float[] want = withoutRecycling(net, () -> net.call(x)).toFloatArray();
        Tensor y = net.call(x);
        assertFalse(y.requiresGrad());
        assertTrue(InferenceMode.pooledFloats() > 0, "the frozen network's intermediates went back to the pool");
        assertArrayEquals(want, y.toFloatArray());
        try (var s = Torch.inferenceMode()) {
            poisonPool(2, 2 * 16 * 10 * 10);
        }
        assertArrayEquals(want, net.call(x).toFloatArray(), "recycled arrays are written whole");
        assertArrayEquals(want, y.toFloatArray(), "an earlier output is never recycled");
    }

    /**
     * Frozen layers before a trainable one (transfer learning): the frozen layers' intermediates are recycled, the
     * input the trainable layer's backward reads is not, and its gradient is the one of a run without recycling.
     */
    @Test
    void aTrainableLayerAfterFrozenOnesKeepsWhatItsBackwardReads() {
        Sequential net = frozenConvBnReluConv(true);
        Tensor x = image(9);
        Tensor weight = net.get(3).parameters().get(0);
        withoutRecycling(net, () -> {
                    Tensor y = net.call(x);
                    return y.mul(y).sum();
                })
                .backward();
        float[] want = weight.grad().toFloatArray();
        net.zeroGrad();
        try (var s = Torch.inferenceMode()) {
            poisonPool(2, 2 * 16 * 10 * 10);
        }
        Tensor y = net.call(x);
        assertTrue(y.requiresGrad());
        assertTrue(InferenceMode.pooledFloats() > 0, "the frozen layers' intermediates were recycled");
        y.mul(y).sum().backward();
        assertArrayEquals(want, weight.grad().toFloatArray());
    }

    /** Passes its input on and keeps a reference to it, which inference mode's contract forbids. */
    private static final class Keep extends Module {
        Tensor kept;

        @Override
        public Tensor forward(Tensor x) {
            kept = x;
            return x;
        }
    }
}
