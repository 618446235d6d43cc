package dev.torchlet.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * Options of {@link ConvTranspose2d}, as torch.nn.ConvTranspose2d's arguments (same order); validated on
 * construction. Sizes are {height, width}; a one-element array means the same value for both.
 * <pre>
 *   new ConvTranspose2d(ConvTranspose2dOptions.of(64, 32, 4).withStride(2).withPadding(1).withBias(false))
 * </pre>
 *
 * @param inChannels    input channels Cin, &gt;= 1
 * @param outChannels   output channels Cout, &gt;= 1
 * @param kernelSize    kernel {kH, kW}, each &gt;= 1
 * @param stride        upsampling step, each &gt;= 1 (default 1)
 * @param padding       dilation (k - 1) - padding zeros are added to the input's sides, each &gt;= 0 (default 0)
 * @param outputPadding extra rows/columns on one side of the output, each smaller than stride or dilation
 *                      (default 0)
 * @param groups        channel groups, &gt;= 1, dividing Cin and Cout (default 1)
 * @param bias          whether to learn a bias (Cout) (default true)
 * @param dilation      spacing between kernel taps, each &gt;= 1 (default 1)
 */
public record ConvTranspose2dOptions(
        int inChannels,
        int outChannels,
        int[] kernelSize,
        int[] stride,
        int[] padding,
        int[] outputPadding,
        int groups,
        boolean bias,
        int[] dilation) {
    private static final String LAYER = "ConvTranspose2d";

    public ConvTranspose2dOptions {
        ConvNd.checkChannels(LAYER, inChannels, outChannels, groups);
        kernelSize = ConvNd.pair(LAYER, "kernelSize", kernelSize, 1);
        stride = ConvNd.pair(LAYER, "stride", stride, 1);
        padding = ConvNd.pair(LAYER, "padding", padding, 0);
        outputPadding = ConvNd.pair(LAYER, "outputPadding", outputPadding, 0);
        dilation = ConvNd.pair(LAYER, "dilation", dilation, 1);
        for (int d = 0; d < 2; d++) {
            if (outputPadding[d] >= stride[d] && outputPadding[d] >= dilation[d]) {
                throw new IllegalArgumentException(LAYER + ": outputPadding " + Arrays.toString(outputPadding)
                        + " must be smaller than stride " + Arrays.toString(stride) + " or dilation "
                        + Arrays.toString(dilation));
            }
        }
    }

    /** Square kernel, stride 1, no padding, no output padding, one group, bias, no dilation: PyTorch's defaults. */
    public static ConvTranspose2dOptions of(int inChannels, int outChannels, int kernelSize) {
        return new ConvTranspose2dOptions(
                inChannels,
                outChannels,
                new int[] {kernelSize},
                new int[] {1},
                new int[] {0},
                new int[] {0},
                1,
                true,
                new int[] {1});
    }

    public ConvTranspose2dOptions withInChannels(int c) {
        return new ConvTranspose2dOptions(
                c, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation);
    }

    public ConvTranspose2dOptions withOutChannels(int c) {
        return new ConvTranspose2dOptions(
                inChannels, c, kernelSize, stride, padding, outputPadding, groups, bias, dilation);
    }

    public ConvTranspose2dOptions withKernelSize(int k) {
        return withKernelSize(k, k);
    }

    public ConvTranspose2dOptions withKernelSize(int kH, int kW) {
        return new ConvTranspose2dOptions(
                inChannels, outChannels, new int[] {kH, kW}, stride, padding, outputPadding, groups, bias, dilation);
    }

    public ConvTranspose2dOptions withStride(int s) {
        return withStride(s, s);
    }

    public ConvTranspose2dOptions withStride(int sH, int sW) {
        return new ConvTranspose2dOptions(
                inChannels,
                outChannels,
                kernelSize,
                new int[] {sH, sW},
                padding,
                outputPadding,
                groups,
                bias,
                dilation);
    }

    public ConvTranspose2dOptions withPadding(int p) {
        return withPadding(p, p);
    }

    public ConvTranspose2dOptions withPadding(int pH, int pW) {
        return new ConvTranspose2dOptions(
                inChannels, outChannels, kernelSize, stride, new int[] {pH, pW}, outputPadding, groups, bias, dilation);
    }

    public ConvTranspose2dOptions withOutputPadding(int p) {
        return withOutputPadding(p, p);
    }

    public ConvTranspose2dOptions withOutputPadding(int pH, int pW) {
        return new ConvTranspose2dOptions(
                inChannels, outChannels, kernelSize, stride, padding, new int[] {pH, pW}, groups, bias, dilation);
    }

    public ConvTranspose2dOptions withGroups(int g) {
        return new ConvTranspose2dOptions(
                inChannels, outChannels, kernelSize, stride, padding, outputPadding, g, bias, dilation);
    }

    public ConvTranspose2dOptions withBias(boolean b) {
        return new ConvTranspose2dOptions(
                inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, b, dilation);
    }

    public ConvTranspose2dOptions withDilation(int d) {
        return withDilation(d, d);
    }

    public ConvTranspose2dOptions withDilation(int dH, int dW) {
        return new ConvTranspose2dOptions(
                inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, new int[] {dH, dW});
    }

    // arrays are copied in (above) and out (below), so the record stays immutable and compares by value

    @Override
    public int[] kernelSize() {
        return kernelSize.clone();
    }

    @Override
    public int[] stride() {
        return stride.clone();
    }

    @Override
    public int[] padding() {
        return padding.clone();
    }

    @Override
    public int[] outputPadding() {
        return outputPadding.clone();
    }

    @Override
    public int[] dilation() {
        return dilation.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvTranspose2dOptions c
                && inChannels == c.inChannels
                && outChannels == c.outChannels
                && Arrays.equals(kernelSize, c.kernelSize)
                && Arrays.equals(stride, c.stride)
                && Arrays.equals(padding, c.padding)
                && Arrays.equals(outputPadding, c.outputPadding)
                && groups == c.groups
                && bias == c.bias
                && Arrays.equals(dilation, c.dilation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                inChannels,
                outChannels,
                Arrays.hashCode(kernelSize),
                Arrays.hashCode(stride),
                Arrays.hashCode(padding),
                Arrays.hashCode(outputPadding),
                groups,
                bias,
                Arrays.hashCode(dilation));
    }

    @Override
    public String toString() {
        return "ConvTranspose2dOptions[inChannels=" + inChannels + ", outChannels=" + outChannels + ", kernelSize="
                + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", outputPadding=" + Arrays.toString(outputPadding) + ", groups="
                + groups + ", bias=" + bias + ", dilation=" + Arrays.toString(dilation) + "]";
    }
}
