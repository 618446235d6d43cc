package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;
import dev.torchlet.ops.ConvOptions;
import dev.torchlet.ops.Convolution;

/**
 * 2-D convolution: (N, Cin, H, W) -> (N, Cout, H', W'), H' = (H + 2p - d(k - 1) - 1) / s + 1.
 * Weight (Cout, Cin/groups, kH, kW), bias (Cout). Beyond kernel, stride and padding, configure it
 * with {@link Conv2dOptions}: {@code new Conv2d(Conv2dOptions.of(64, 64, 3).withPadding(1).withBias(false))}.
 */
public class Conv2d extends ConvNd {
    private final Conv2dOptions options;

    public Conv2d(Conv2dOptions options) {
        super(
                options.inChannels(),
                options.outChannels(),
                options.kernelSize(),
                options.stride(),
                options.padding(),
                options.dilation(),
                options.groups(),
                options.bias(),
                false);
        this.options = options;
    }

    /** Square kernel, stride 1, no padding, bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(Conv2dOptions.of(inChannels, outChannels, kernelSize));
    }

    /** Square kernel with stride and padding, bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(Conv2dOptions.of(inChannels, outChannels, kernelSize)
                .withStride(stride)
                .withPadding(padding));
    }

    /**
     * @deprecated use {@code new Conv2d(Conv2dOptions.of(in, out, k).withStride(s).withPadding(p).withDilation(d)
     *     .withGroups(g).withBias(b))}: eight positional arguments are easy to mix up.
     */
    @Deprecated
    public Conv2d(
            int inChannels,
            int outChannels,
            int kernelSize,
            int stride,
            int padding,
            int dilation,
            int groups,
            boolean bias) {
        this(new Conv2dOptions(
                inChannels,
                outChannels,
                new int[] {kernelSize},
                new int[] {stride},
                new int[] {padding},
                new int[] {dilation},
                groups,
                bias));
    }

    /** @deprecated use {@code new Conv2d(new Conv2dOptions(...))}, which takes the same arguments. */
    @Deprecated
    public Conv2d(
            int inChannels,
            int outChannels,
            int[] kernelSize,
            int[] stride,
            int[] padding,
            int[] dilation,
            int groups,
            boolean bias) {
        this(new Conv2dOptions(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias));
    }

    /** The options this layer was built with. */
    public Conv2dOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv2d(x, weight(), bias(), stride, padding, dilation, groups);
    }

    /**
     * clamp(forward(x) + addend, lo, hi) without this module's hooks: a residual block's last convolution, shortcut
     * and ReLU in one pass over the output in inference ({@link Convolution#conv2dAddClamped}). For blocks that
     * checked {@link #hasForwardHooks()}; a subclass whose forward is more than conv2d (ConvActivation2d) runs its
     * forward, then the addition and clamp.
     */
    public Tensor forwardAddClamped(Tensor x, Tensor addend, float lo, float hi) {
        if (getClass() != Conv2d.class) {
            Tensor y = forward(x).add(addend);
            return lo == 0f && hi == Float.POSITIVE_INFINITY ? y.relu() : y.clamp(lo, hi);
        }
        return Convolution.conv2dAddClamped(
                x, weight(), bias(), ConvOptions.of(stride, padding, dilation, groups), addend, lo, hi);
    }
}
