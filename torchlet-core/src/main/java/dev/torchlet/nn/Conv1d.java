package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * 1-D convolution: (N, Cin, L) -> (N, Cout, L'), L' = (L + 2p - d(k - 1) - 1) / s + 1.
 * Weight (Cout, Cin/groups, k), bias (Cout). Configure it with {@link Conv1dOptions}.
 */
public class Conv1d extends ConvNd {
    private final Conv1dOptions options;

    public Conv1d(Conv1dOptions options) {
        super(
                options.inChannels(),
                options.outChannels(),
                new int[] {options.kernelSize()},
                new int[] {options.stride()},
                new int[] {options.padding()},
                new int[] {options.dilation()},
                options.groups(),
                options.bias(),
                false);
        this.options = options;
    }

    /** Stride 1, no padding, bias. */
    public Conv1d(int inChannels, int outChannels, int kernelSize) {
        this(Conv1dOptions.of(inChannels, outChannels, kernelSize));
    }

    /**
     * @deprecated use {@code new Conv1d(Conv1dOptions.of(in, out, k).withStride(s).withPadding(p).withDilation(d)
     *     .withGroups(g).withBias(b))}: eight positional arguments are easy to mix up.
     */
    @Deprecated
    public Conv1d(
            int inChannels,
            int outChannels,
            int kernelSize,
            int stride,
            int padding,
            int dilation,
            int groups,
            boolean bias) {
        this(new Conv1dOptions(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias));
    }

    /** The options this layer was built with. */
    public Conv1dOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv1d(x, weight(), bias(), stride[0], padding[0], dilation[0], groups);
    }
}
