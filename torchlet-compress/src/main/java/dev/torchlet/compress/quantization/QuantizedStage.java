package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;

/**
 * One step of a {@link QuantizedModel}: quint8 tensor in, quint8 tensor out. Activations live in 0..127, the
 * reduced range every activation observer here calibrates for (fbgemm's {@code reduce_range}, which keeps the
 * int8 kernels' u8 x s8 pair sums exact in int16); a value above the calibrated range saturates at 127, as it did
 * under fake quantization in training.
 */
abstract class QuantizedStage extends Module {
    /** Largest activation integer. */
    static final int ACTIVATION_QMAX = 127;

    /**
     * Per-thread int32 accumulator scratch: a convolution's accumulators are read once by the requantization, and
     * zeroing a fresh 6 MB array per call was 4% of a batch-64 CNN's int8 time. Per thread, so a model called from
     * several threads at once stays correct.
     */
    private static final ThreadLocal<int[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new int[0]);

    /** A scratch array of at least n ints for this thread (contents undefined: kernels overwrite them). */
    static int[] accumulators(int n) {
        int[] a = ACCUMULATORS.get();
        if (a.length < n) {
            a = new int[n];
            ACCUMULATORS.set(a);
        }
        return a;
    }

    /** False: keep PyTorch's full quint8 output range 0..255 (for comparisons with PyTorch's quantized ops). */
    boolean saturateOutput = true;

    abstract QTensor forwardQuantized(QTensor x);

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " takes quantized tensors; call the QuantizedModel that holds it");
    }

    /** The output parameters stored in buffers {@code scale} and {@code zero_point}. */
    QParams outputQParams() {
        return QParams.perTensor(
                buffer("scale").item(), (int) buffer("zero_point").toLongArray()[0]);
    }
}
