package dev.torchlet.nn;

/**
 * Options of {@link Conv1d}, as torch.nn.Conv1d's arguments; validated on construction.
 * <pre>
 *   new Conv1d(Conv1dOptions.of(3, 5, 3).withPadding(2).withDilation(2))
 * </pre>
 *
 * @param inChannels  input channels Cin, &gt;= 1
 * @param outChannels output channels Cout, &gt;= 1
 * @param kernelSize  kernel length k, &gt;= 1
 * @param stride      step between outputs, &gt;= 1 (default 1)
 * @param padding     implicit zeros on both ends, &gt;= 0 (default 0)
 * @param dilation    spacing between kernel taps, &gt;= 1 (default 1)
 * @param groups      channel groups, &gt;= 1, dividing Cin and Cout (default 1)
 * @param bias        whether to learn a bias (Cout) (default true)
 */
public record Conv1dOptions(
        int inChannels,
        int outChannels,
        int kernelSize,
        int stride,
        int padding,
        int dilation,
        int groups,
        boolean bias) {
    private static final String LAYER = "Conv1d";

    public Conv1dOptions {
        ConvNd.checkChannels(LAYER, inChannels, outChannels, groups);
        ConvNd.atLeast(LAYER, "kernelSize", kernelSize, 1);
        ConvNd.atLeast(LAYER, "stride", stride, 1);
        ConvNd.atLeast(LAYER, "padding", padding, 0);
        ConvNd.atLeast(LAYER, "dilation", dilation, 1);
    }

    /** Stride 1, no padding, no dilation, one group, bias: PyTorch's defaults. */
    public static Conv1dOptions of(int inChannels, int outChannels, int kernelSize) {
        return new Conv1dOptions(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
    }

    public Conv1dOptions withInChannels(int c) {
        return new Conv1dOptions(c, outChannels, kernelSize, stride, padding, dilation, groups, bias);
    }

    public Conv1dOptions withOutChannels(int c) {
        return new Conv1dOptions(inChannels, c, kernelSize, stride, padding, dilation, groups, bias);
    }

    public Conv1dOptions withKernelSize(int k) {
        return new Conv1dOptions(inChannels, outChannels, k, stride, padding, dilation, groups, bias);
    }

    public Conv1dOptions withStride(int s) {
        return new Conv1dOptions(inChannels, outChannels, kernelSize, s, padding, dilation, groups, bias);
    }

    public Conv1dOptions withPadding(int p) {
        return new Conv1dOptions(inChannels, outChannels, kernelSize, stride, p, dilation, groups, bias);
    }

    public Conv1dOptions withDilation(int d) {
        return new Conv1dOptions(inChannels, outChannels, kernelSize, stride, padding, d, groups, bias);
    }

    public Conv1dOptions withGroups(int g) {
        return new Conv1dOptions(inChannels, outChannels, kernelSize, stride, padding, dilation, g, bias);
    }

    public Conv1dOptions withBias(boolean b) {
        return new Conv1dOptions(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, b);
    }
}
