package dev.torchlet.compress.quantization;

import dev.torchlet.Torch;
import dev.torchlet.compress.kernels.Int8Gemm;
import dev.torchlet.compress.kernels.Requantize;
import dev.torchlet.nn.Linear;
import java.util.Arrays;
import java.util.List;

/**
 * Static int8 Linear (+ReLU), PyTorch's {@code quantized.Linear} / {@code LinearReLU}: quint8 input (M, in), int8
 * per-channel weights, float bias, quint8 output with its own scale and zero point:
 * {@code q_out = clamp(rint((sIn * sW[j] * (acc - zpIn * rowSum[j]) + bias[j]) / sOut) + zpOut, lo, 127)},
 * {@code lo = relu ? zpOut : 0}.
 *
 * <p>State dict: {@code weight} (int8), {@code weight_scale}, {@code bias}, {@code scale}, {@code zero_point}.
 */
final class QuantizedLinear extends QuantizedStage implements Int8Layer {
    private final boolean relu;
    private Int8Weights weights;
    private float[] bias;
    private QParams out;

    QuantizedLinear(Linear linear, boolean relu, QParams out) {
        this(linear, relu, out, null);
    }

    /** With given weight parameters (null: per-channel min/max of the weights). */
    QuantizedLinear(Linear linear, boolean relu, QParams out, QParams weightQParams) {
        this.relu = relu;
        this.weights = weightQParams == null
                ? Int8Weights.quantize(linear.weight())
                : Int8Weights.quantize(linear.weight(), weightQParams);
        this.bias = linear.bias() == null
                ? new float[weights.rows()]
                : linear.bias().toFloatArray();
        this.out = out;
        registerBuffer("weight", weights.intTensor());
        registerBuffer("weight_scale", weights.scaleTensor());
        registerBuffer("bias", Torch.tensor(bias.clone(), bias.length));
        registerBuffer("scale", Torch.tensor(new float[] {out.scale()}, 1));
        registerBuffer("zero_point", Torch.tensor(new long[] {out.zeroPoint()}, 1));
    }

    @Override
    QTensor forwardQuantized(QTensor x) {
        int k = weights.cols();
        int n = weights.rows();
        if (x.dim() != 2 || x.size(1) != k) {
            throw new IllegalArgumentException(
                    "QuantizedLinear: input " + Arrays.toString(x.shape()) + ", expected (N, " + k + ")");
        }
        int m = x.size(0);
        int[] acc = new int[m * n];
        Int8Gemm.gemm(m, x.data(), 0, weights.packed(), acc);
        byte[] y = new byte[m * n];
        QParams in = x.qparams();
        Requantize.toUint8(
                m,
                n,
                acc,
                in.zeroPoint(),
                in.scale(),
                weights.packed().rowSums(),
                weights.scales(),
                bias,
                out.scale(),
                out.zeroPoint(),
                relu,
                saturateOutput ? ACTIVATION_QMAX : 255,
                y,
                0);
        return new QTensor(y, new int[] {m, n}, QuantDType.QUINT8, out);
    }

    @Override
    public List<String> int8Buffers() {
        return List.of("weight");
    }

    @Override
    public void repack() {
        weights = Int8Weights.fromBuffers(buffer("weight"), buffer("weight_scale"));
        bias = buffer("bias").toFloatArray();
        out = outputQParams();
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + weights.cols() + ", out_features=" + weights.rows() + (relu ? ", relu=True" : "")
                + ", scale=" + out.scale() + ", zero_point=" + out.zeroPoint();
    }
}
