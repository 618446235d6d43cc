package dev.torchlet.compress.quantization;

import dev.torchlet.Torch;
import dev.torchlet.compress.kernels.Int8Gemm;
import dev.torchlet.compress.kernels.PackedInt8Weights;
import dev.torchlet.compress.kernels.QuantizedIm2col;
import dev.torchlet.compress.kernels.Requantize;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import java.util.Arrays;
import java.util.List;

/**
 * Static int8 Conv2d (+ReLU), PyTorch's {@code quantized.Conv2d} / {@code ConvReLU2d}: quint8 input (N, Cin, H, W),
 * int8 per-output-channel weights, float bias, quint8 output (N, Cout, OH, OW). Per image and group: uint8
 * patches (padding reads the input zero point), an int8 GEMM (OH*OW, Cout/g) with int32 accumulators, and the
 * requantization of {@link QuantizedLinear}; the (pixel, channel) result is written channel-major.
 */
final class QuantizedConv2d extends QuantizedStage implements Int8Layer {
    private final Conv2dOptions options;
    private final boolean relu;
    private Int8Weights weights;
    private PackedInt8Weights[] groupWeights;
    private int[][] groupRowSums;
    private float[][] groupScales;
    private float[][] groupBias;
    private float[] bias;
    private QParams out;

    QuantizedConv2d(Conv2d conv, boolean relu, QParams out) {
        this(conv, relu, out, null);
    }

    /** With given weight parameters (null: per-channel min/max of the weights). */
    QuantizedConv2d(Conv2d conv, boolean relu, QParams out, QParams weightQParams) {
        this.options = conv.options();
        this.relu = relu;
        this.weights = weightQParams == null
                ? Int8Weights.quantize(conv.weight())
                : Int8Weights.quantize(conv.weight(), weightQParams);
        this.bias =
                conv.bias() == null ? new float[weights.rows()] : conv.bias().toFloatArray();
        this.out = out;
        registerBuffer("weight", weights.intTensor());
        registerBuffer("weight_scale", weights.scaleTensor());
        registerBuffer("bias", Torch.tensor(bias.clone(), bias.length));
        registerBuffer("scale", Torch.tensor(new float[] {out.scale()}, 1));
        registerBuffer("zero_point", Torch.tensor(new long[] {out.zeroPoint()}, 1));
        splitGroups();
    }

    /** Packs each group's (Cout/g, Cin/g*kH*kW) rows separately. */
    private void splitGroups() {
        int g = options.groups();
        int coutG = weights.rows() / g;
        int k = weights.cols();
        groupWeights = new PackedInt8Weights[g];
        groupRowSums = new int[g][];
        groupScales = new float[g][];
        groupBias = new float[g][];
        for (int i = 0; i < g; i++) {
            byte[] rows = Arrays.copyOfRange(weights.values(), i * coutG * k, (i + 1) * coutG * k);
            groupWeights[i] = PackedInt8Weights.pack(rows, coutG, k);
            groupRowSums[i] = groupWeights[i].rowSums();
            groupScales[i] = Arrays.copyOfRange(weights.scales(), i * coutG, (i + 1) * coutG);
            groupBias[i] = Arrays.copyOfRange(bias, i * coutG, (i + 1) * coutG);
        }
    }

    @Override
    QTensor forwardQuantized(QTensor x) {
        int cin = options.inChannels();
        if (x.dim() != 4 || x.size(1) != cin) {
            throw new IllegalArgumentException(
                    "QuantizedConv2d: input " + Arrays.toString(x.shape()) + ", expected (N, " + cin + ", H, W)");
        }
        int n = x.size(0);
        int h = x.size(2);
        int w = x.size(3);
        int[] ks = options.kernelSize();
        int[] st = options.stride();
        int[] pd = options.padding();
        int[] dl = options.dilation();
        int oh = (h + 2 * pd[0] - dl[0] * (ks[0] - 1) - 1) / st[0] + 1;
        int ow = (w + 2 * pd[1] - dl[1] * (ks[1] - 1) - 1) / st[1] + 1;
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("QuantizedConv2d: input " + Arrays.toString(x.shape())
                    + " is smaller than the kernel " + Arrays.toString(ks));
        }
        int groups = options.groups();
        int cg = cin / groups;
        int coutG = weights.rows() / groups;
        int cout = weights.rows();
        int pixels = oh * ow;
        int k = cg * ks[0] * ks[1];
        QParams in = x.qparams();
        byte pad = (byte) in.zeroPoint();
        byte[] cols = new byte[pixels * k];
        int[] acc = new int[pixels * coutG];
        byte[] pixelMajor = new byte[pixels * coutG];
        byte[] y = new byte[n * cout * pixels];
        for (int img = 0; img < n; img++) {
            for (int g = 0; g < groups; g++) {
                QuantizedIm2col.im2col(
                        x.data(),
                        img * cin * h * w,
                        h,
                        w,
                        g * cg,
                        cg,
                        ks[0],
                        ks[1],
                        st[0],
                        st[1],
                        pd[0],
                        pd[1],
                        dl[0],
                        dl[1],
                        oh,
                        ow,
                        pad,
                        cols);
                Int8Gemm.gemm(pixels, cols, 0, groupWeights[g], acc);
                Requantize.toUint8(
                        pixels,
                        coutG,
                        acc,
                        in.zeroPoint(),
                        in.scale(),
                        groupRowSums[g],
                        groupScales[g],
                        groupBias[g],
                        out.scale(),
                        out.zeroPoint(),
                        relu,
                        pixelMajor,
                        0);
                if (saturateOutput) {
                    saturate(pixelMajor, 0, pixelMajor.length);
                }
                int base = (img * cout + g * coutG) * pixels;
                for (int p = 0; p < pixels; p++) { // (pixel, channel) -> (channel, pixel)
                    for (int c = 0; c < coutG; c++) {
                        y[base + c * pixels + p] = pixelMajor[p * coutG + c];
                    }
                }
            }
        }
        return new QTensor(y, new int[] {n, cout, oh, ow}, QuantDType.QUINT8, out);
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
        splitGroups();
    }

    @Override
    protected String extraRepr() {
        return options.inChannels() + ", " + options.outChannels() + ", kernel_size="
                + Arrays.toString(options.kernelSize()) + ", stride=" + Arrays.toString(options.stride())
                + (relu ? ", relu=True" : "") + ", scale=" + out.scale() + ", zero_point=" + out.zeroPoint();
    }
}
