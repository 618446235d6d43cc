package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import java.util.Arrays;
import java.util.List;

/**
 * A Linear layer with int8 weights whose input is quantized on the fly, PyTorch's
 * {@code torch.ao.nn.quantized.dynamic.Linear}: per call, {@link DynamicQParams} picks a scale and zero point for
 * the input (quint8, 0..127), the product runs in int8 x int8 -> int32, and the result comes back as float:
 * {@code y = xScale * wScale[j] * (acc - xZeroPoint * sum_k w[j][k]) + bias[j]}. Inference only (no gradient).
 *
 * <p>State dict: {@code weight} (out, in) int8 values, {@code weight_scale} (out), {@code bias} (out) if any.
 */
public final class DynamicQuantizedLinear extends Module implements Int8Layer {
    private final int inFeatures;
    private final int outFeatures;
    private Int8Weights weights;
    private float[] bias;

    private DynamicQuantizedLinear(Int8Weights weights, float[] bias) {
        this.inFeatures = weights.cols();
        this.outFeatures = weights.rows();
        this.weights = weights;
        this.bias = bias;
        registerBuffer("weight", weights.intTensor());
        registerBuffer("weight_scale", weights.scaleTensor());
        if (bias != null) {
            registerBuffer("bias", Torch.tensor(bias.clone(), bias.length));
        }
    }

    /** Quantizes a float Linear's weights per output channel (symmetric int8); the Linear is not changed. */
    public static DynamicQuantizedLinear from(Linear linear) {
        Tensor b = linear.bias();
        return new DynamicQuantizedLinear(Int8Weights.quantize(linear.weight()), b == null ? null : b.toFloatArray());
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] shape = x.shape();
        if (shape.length == 0 || shape[shape.length - 1] != inFeatures) {
            throw new IllegalArgumentException("DynamicQuantizedLinear: input " + Arrays.toString(shape)
                    + " must end with in_features " + inFeatures);
        }
        float[] v = x.contiguous().toFloatArray();
        int m = v.length / inFeatures;
        float[] out = new float[m * outFeatures];
        multiply(v, m, out);
        int[] outShape = shape.clone();
        outShape[outShape.length - 1] = outFeatures;
        return Torch.tensor(out, outShape);
    }

    /** out (m, out) = dynamic-int8 product of x (m, in); the kernel for callers that hold arrays (e.g. an LSTM). */
    void multiply(float[] x, int m, float[] out) {
        weights.dynamicProduct(x, 0, m, bias, out, 0);
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public List<String> int8Buffers() {
        return List.of("weight");
    }

    @Override
    public void repack() {
        weights = Int8Weights.fromBuffers(buffer("weight"), buffer("weight_scale"));
        bias = namedBuffers().containsKey("bias") ? buffer("bias").toFloatArray() : null;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", dtype=torch.qint8, "
                + "qscheme=per_channel_symmetric";
    }
}
