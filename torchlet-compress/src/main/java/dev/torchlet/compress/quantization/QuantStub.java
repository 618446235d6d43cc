package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;

/** The model input's quantization parameters (PyTorch's converted QuantStub): buffers scale, zero_point. */
final class QuantStub extends Module {
    QuantStub(QParams p) {
        registerBuffer("scale", Torch.tensor(new float[] {p.scale()}, 1));
        registerBuffer("zero_point", Torch.tensor(new long[] {p.zeroPoint()}, 1));
    }

    QParams qparams() {
        return QParams.perTensor(
                buffer("scale").item(), (int) buffer("zero_point").toLongArray()[0]);
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("QuantStub holds parameters; QuantizedModel quantizes the input");
    }
}
