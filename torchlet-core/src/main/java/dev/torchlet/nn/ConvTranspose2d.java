package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;
import java.util.Arrays;

/**
 * Transposed 2-D convolution (the gradient of Conv2d w.r.t. its input):
 * H' = (H - 1) s - 2p + d(k - 1) + outputPadding + 1. Weight (Cin, Cout/groups, kH, kW), bias (Cout).
 * Configure it with {@link ConvTranspose2dOptions}.
 */
public class ConvTranspose2d extends ConvNd {
    private final ConvTranspose2dOptions options;
    private final int[] outputPadding;

    public ConvTranspose2d(ConvTranspose2dOptions options) {
        super(
                options.inChannels(),
                options.outChannels(),
                options.kernelSize(),
                options.stride(),
                options.padding(),
                options.dilation(),
                options.groups(),
                options.bias(),
                true);
        this.options = options;
        this.outputPadding = options.outputPadding();
    }

    /** Square kernel, stride 1, no padding, bias. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize) {
        this(ConvTranspose2dOptions.of(inChannels, outChannels, kernelSize));
    }

    /** Square kernel with stride and padding, bias (a DCGAN generator's layer). */
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(ConvTranspose2dOptions.of(inChannels, outChannels, kernelSize)
                .withStride(stride)
                .withPadding(padding));
    }

    /**
     * @deprecated use {@code new ConvTranspose2d(ConvTranspose2dOptions.of(in, out, k).withStride(s)
     *     .withPadding(p).withOutputPadding(op).withGroups(g).withBias(b).withDilation(d))}: nine positional
     *     arguments are easy to mix up.
     */
    @Deprecated
    public ConvTranspose2d(
            int inChannels,
            int outChannels,
            int kernelSize,
            int stride,
            int padding,
            int outputPadding,
            int groups,
            boolean bias,
            int dilation) {
        this(new ConvTranspose2dOptions(
                inChannels,
                outChannels,
                new int[] {kernelSize},
                new int[] {stride},
                new int[] {padding},
                new int[] {outputPadding},
                groups,
                bias,
                new int[] {dilation}));
    }

    /** The options this layer was built with. */
    public ConvTranspose2dOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.convTranspose2d(x, weight(), bias(), stride, padding, outputPadding, groups, dilation);
    }

    /**
     * Runs the layer (with its hooks) to an exact output size {@code (H', W')}, as PyTorch's
     * {@code module(x, output_size=...)}: the output padding is chosen to reach it (the configured
     * outputPadding is then ignored). Stride &gt; 1 maps several input sizes to one output size; this
     * picks the output a strided Conv2d's input had, e.g. in a decoder mirroring an encoder.
     *
     * @param outputSize {H', W'}, or the trailing two of a full (N, C, H', W') shape
     */
    public Tensor call(Tensor x, int[] outputSize) {
        return callWithHooks(args -> forward((Tensor) args[0], (int[]) args[1]), x, outputSize);
    }

    /** The computation of {@link #call(Tensor, int[])}. */
    public Tensor forward(Tensor x, int[] outputSize) {
        if (outputSize == null) {
            return forward(x);
        }
        return F.convTranspose2d(
                x, weight(), bias(), stride, padding, outputPaddingFor(x, outputSize), groups, dilation);
    }

    /** PyTorch's _ConvTransposeNd._output_padding: outputSize minus the smallest reachable size. */
    private int[] outputPaddingFor(Tensor x, int[] outputSize) {
        if (x.dim() < 3 || outputSize.length < 2) {
            throw new IllegalArgumentException("ConvTranspose2d: output_size must have at least 2 entries and the"
                    + " input at least 3 dims, got output_size " + Arrays.toString(outputSize) + " for input "
                    + Arrays.toString(x.shape()));
        }
        int[] kernel = weight().shape();
        int[] op = new int[2];
        for (int d = 0; d < 2; d++) {
            int in = x.size(x.dim() - 2 + d);
            int want = outputSize[outputSize.length - 2 + d];
            int min = (in - 1) * stride[d] - 2 * padding[d] + dilation[d] * (kernel[2 + d] - 1) + 1;
            int max = min + stride[d] - 1;
            if (want < min || want > max) {
                throw new IllegalArgumentException("ConvTranspose2d: requested output size "
                        + Arrays.toString(outputSize) + " is not reachable from input " + Arrays.toString(x.shape())
                        + ": dimension " + d + " must be in [" + min + ", " + max + "]");
            }
            op[d] = want - min;
        }
        return op;
    }
}
