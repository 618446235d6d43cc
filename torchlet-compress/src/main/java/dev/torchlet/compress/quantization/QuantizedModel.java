package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.compress.kernels.QuantizeKernels;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;
import java.util.List;

/**
 * A statically quantized model: float input -> quint8 with the calibrated input parameters ({@code quant.scale},
 * {@code quant.zero_point}) -> int8 stages ({@code body.*}) -> float output (PyTorch's QuantStub, the converted
 * layers and DeQuantStub). Inference only.
 */
public final class QuantizedModel extends Module {
    private QParams input;

    QuantizedModel(QParams input, List<QuantizedStage> stages) {
        this.input = input;
        registerModule("quant", new QuantStub(input));
        registerModule("body", new Sequential(stages.toArray(new Module[0])));
        eval();
    }

    @Override
    public Tensor forward(Tensor x) {
        float[] v = x.detach().contiguous().toFloatArray();
        byte[] qx = new byte[v.length]; // the calibrated activation range 0..127, as every stage keeps it
        QuantizeKernels.quantize(
                v, 0, v.length, input.scale(), input.zeroPoint(), 0, QuantizedStage.ACTIVATION_QMAX, qx, 0);
        QTensor q = new QTensor(qx, x.shape(), QuantDType.QUINT8, input);
        for (Module stage : child("body").children()) {
            q = ((QuantizedStage) stage).forwardQuantized(q);
        }
        return q.dequantize();
    }

    /** Rebuilds every layer's packed weights and the input parameters from the buffers (after a state load). */
    public void repack() {
        input = ((QuantStub) child("quant")).qparams();
        for (Module m : modules()) {
            if (m instanceof Int8Layer layer) {
                layer.repack();
            }
        }
    }

    public QParams inputQParams() {
        return input;
    }
}
