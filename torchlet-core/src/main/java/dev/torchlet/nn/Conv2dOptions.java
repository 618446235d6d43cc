package dev.torchlet.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * Options of {@link Conv2d}, as torch.nn.Conv2d's arguments; validated on construction.
 * Sizes are {height, width}; a one-element array means the same value for both.
 * <pre>
 *   new Conv2d(Conv2dOptions.of(1, 32, 3).withPadding(1).withBias(false))
 * </pre>
 *
 * @param inChannels  input channels Cin, &gt;= 1
 * @param outChannels output channels Cout, &gt;= 1
 * @param kernelSize  kernel {kH, kW}, each &gt;= 1
 * @param stride      step between output pixels, each &gt;= 1 (default 1)
 * @param padding     implicit zeros on both sides, each &gt;= 0 (default 0)
 * @param dilation    spacing between kernel taps, each &gt;= 1 (default 1)
 * @param groups      channel groups, &gt;= 1, dividing Cin and Cout (default 1)
 * @param bias        whether to learn a bias (Cout) (default true)
 */
public record Conv2dOptions(
        int inChannels,
        int outChannels,
        int[] kernelSize,
        int[] stride,
        int[] padding,
        int[] dilation,
        int groups,
        boolean bias) {
    private static final String LAYER = "Conv2d";

    public Conv2dOptions {
        ConvNd.checkChannels(LAYER, inChannels, outChannels, groups);
        kernelSize = ConvNd.pair(LAYER, "kernelSize", kernelSize, 1);
        stride = ConvNd.pair(LAYER, "stride", stride, 1);
        padding = ConvNd.pair(LAYER, "padding", padding, 0);
        dilation = ConvNd.pair(LAYER, "dilation", dilation, 1);
    }

    /** Square kernel, stride 1, no padding, no dilation, one group, bias: PyTorch's defaults. */
    public static Conv2dOptions of(int inChannels, int outChannels, int kernelSize) {
        return new Conv2dOptions(
                inChannels, outChannels, new int[] {kernelSize}, new int[] {1}, new int[] {0}, new int[] {1}, 1, true);
    }

    public Conv2dOptions withInChannels(int c) {
        return new Conv2dOptions(c, outChannels, kernelSize, stride, padding, dilation, groups, bias);
    }

    public Conv2dOptions withOutChannels(int c) {
        return new Conv2dOptions(inChannels, c, kernelSize, stride, padding, dilation, groups, bias);
    }

    public Conv2dOptions withKernelSize(int k) {
        return withKernelSize(k, k);
    }

    public Conv2dOptions withKernelSize(int kH, int kW) {
        return new Conv2dOptions(inChannels, outChannels, new int[] {kH, kW}, stride, padding, dilation, groups, bias);
    }

    public Conv2dOptions withStride(int s) {
        return withStride(s, s);
    }

    public Conv2dOptions withStride(int sH, int sW) {
        return new Conv2dOptions(
                inChannels, outChannels, kernelSize, new int[] {sH, sW}, padding, dilation, groups, bias);
    }

    public Conv2dOptions withPadding(int p) {
        return withPadding(p, p);
    }

    public Conv2dOptions withPadding(int pH, int pW) {
        return new Conv2dOptions(
                inChannels, outChannels, kernelSize, stride, new int[] {pH, pW}, dilation, groups, bias);
    }

    public Conv2dOptions withDilation(int d) {
        return withDilation(d, d);
    }

    public Conv2dOptions withDilation(int dH, int dW) {
        return new Conv2dOptions(
                inChannels, outChannels, kernelSize, stride, padding, new int[] {dH, dW}, groups, bias);
    }

    public Conv2dOptions withGroups(int g) {
        return new Conv2dOptions(inChannels, outChannels, kernelSize, stride, padding, dilation, g, bias);
    }

    public Conv2dOptions withBias(boolean b) {
        return new Conv2dOptions(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, b);
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
    public int[] dilation() {
        return dilation.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Conv2dOptions c
                && inChannels == c.inChannels
                && outChannels == c.outChannels
                && Arrays.equals(kernelSize, c.kernelSize)
                && Arrays.equals(stride, c.stride)
                && Arrays.equals(padding, c.padding)
                && Arrays.equals(dilation, c.dilation)
                && groups == c.groups
                && bias == c.bias;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                inChannels,
                outChannels,
                Arrays.hashCode(kernelSize),
                Arrays.hashCode(stride),
                Arrays.hashCode(padding),
                Arrays.hashCode(dilation),
                groups,
                bias);
    }

    @Override
    public String toString() {
        return "Conv2dOptions[inChannels=" + inChannels + ", outChannels=" + outChannels + ", kernelSize="
                + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", groups=" + groups
                + ", bias=" + bias + "]";
    }
}
