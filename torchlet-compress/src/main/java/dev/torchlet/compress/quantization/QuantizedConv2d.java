package dev.torchlet.compress.quantization;

import dev.torchlet.Torch;
import dev.torchlet.compress.kernels.Int8Conv2d;
import dev.torchlet.compress.kernels.PackedInt8Weights;
import dev.torchlet.compress.kernels.Requantize;
import dev.torchlet.kernels.ConvGeometry;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import java.util.Arrays;
import java.util.List;

/**
 * Static int8 Conv2d (+ReLU), PyTorch's {@code quantized.Conv2d} / {@code ConvReLU2d}: quint8 input (N, Cin, H, W),
 * int8 per-output-channel weights, float bias, quint8 output (N, Cout, OH, OW): {@link Int8Conv2d} (padding reads
 * the input zero point) into int32 accumulators, then the requantization of {@link QuantizedLinear}.
 */
final class QuantizedConv2d extends QuantizedStage implements Int8Layer {
    private final Conv2dOptions options;
    private final boolean relu;
    private Int8Weights weights;
    private PackedInt8Weights[] groupWeights;
    private int[] rowSums;
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

    /** Packs each group's (Cout/g, Cin/g*kH*kW) rows for {@link Int8Conv2d}. */
    private void splitGroups() {
        groupWeights =
                Int8Conv2d.packWeights(geometry(1, options.kernelSize()[0], options.kernelSize()[1]), weights.values());
        rowSums = Int8Conv2d.rowSums(groupWeights);
    }

    private ConvGeometry geometry(int n, int h, int w) {
        int[] ks = options.kernelSize();
        int[] st = options.stride();
        int[] pd = options.padding();
        int[] dl = options.dilation();
        return ConvGeometry.of(
                n,
                options.inChannels(),
                h,
                w,
                options.outChannels(),
                ks[0],
                ks[1],
                st[0],
                st[1],
                pd[0],
                pd[1],
                dl[0],
                dl[1],
                options.groups());
    }

    @Override
    QTensor forwardQuantized(QTensor x) {
        int cin = options.inChannels();
        if (x.dim() != 4 || x.size(1) != cin) {
            throw new IllegalArgumentException(
                    "QuantizedConv2d: input " + Arrays.toString(x.shape()) + ", expected (N, " + cin + ", H, W)");
        }
        ConvGeometry g = geometry(x.size(0), x.size(2), x.size(3));
        if (g.oh() <= 0 || g.ow() <= 0) {
            throw new IllegalArgumentException("QuantizedConv2d: input " + Arrays.toString(x.shape())
                    + " is smaller than the kernel " + Arrays.toString(options.kernelSize()));
        }
        QParams in = x.qparams();
        int plane = g.oh() * g.ow();
        int[] acc = accumulators(g.n() * g.cout() * plane); // scratch, overwritten by the kernel
        Int8Conv2d.conv2d(g, x.data(), 0, in.zeroPoint(), groupWeights, acc, 0); // (N, Cout, OH, OW) int32
        byte[] y = new byte[g.n() * g.cout() * plane];
        Requantize.toUint8Planar(
                g.n(),
                g.cout(),
                plane,
                acc,
                in.zeroPoint(),
                in.scale(),
                rowSums,
                weights.scales(),
                bias,
                out.scale(),
                out.zeroPoint(),
                relu,
                saturateOutput ? ACTIVATION_QMAX : 255,
                y,
                0);
        return new QTensor(y, new int[] {g.n(), g.cout(), g.oh(), g.ow()}, QuantDType.QUINT8, out);
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
