package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;

/** One step of a {@link QuantizedModel}: quint8 tensor in, quint8 tensor out. */
abstract class QuantizedStage extends Module {
    abstract QTensor forwardQuantized(QTensor x);

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " takes quantized tensors; call the " + "QuantizedModel that holds it");
    }

    /** The output parameters stored in buffers {@code scale} and {@code zero_point}. */
    QParams outputQParams() {
        return QParams.perTensor(
                buffer("scale").item(), (int) buffer("zero_point").toLongArray()[0]);
    }
}
