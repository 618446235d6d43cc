package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

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
}
