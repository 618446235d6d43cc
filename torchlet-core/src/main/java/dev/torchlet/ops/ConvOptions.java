package dev.torchlet.ops;

import java.util.Arrays;

/**
 * Options of a 2-D (or, with height entries ignored, 1-D) convolution, validated on construction.
 * Arrays are {height, width}; a one-element array means the same value for both.
 *
 * @param stride        step between output pixels, each &gt;= 1
 * @param padding       implicit zeros on both sides, each &gt;= 0
 * @param dilation      spacing between kernel taps, each &gt;= 1
 * @param outputPadding extra size added to one side of a transposed conv's output, each &lt; stride or &lt; dilation
 * @param groups        channel groups, &gt;= 1 (must divide both channel counts)
 */
public record ConvOptions(int[] stride, int[] padding, int[] dilation, int[] outputPadding, int groups) {

    public ConvOptions {
        stride = pair("stride", stride, 1);
        padding = pair("padding", padding, 0);
        dilation = pair("dilation", dilation, 1);
        outputPadding = pair("outputPadding", outputPadding, 0);
        if (groups < 1) {
            throw new IllegalArgumentException("conv: groups must be >= 1, got " + groups);
        }
        for (int d = 0; d < 2; d++) {
            if (outputPadding[d] >= stride[d] && outputPadding[d] >= dilation[d]) {
                throw new IllegalArgumentException("conv: outputPadding " + Arrays.toString(outputPadding)
                        + " must be smaller than either stride " + Arrays.toString(stride) + " or dilation "
                        + Arrays.toString(dilation));
            }
        }
    }

    /** Stride 1, no padding, no dilation, one group. */
    public static ConvOptions defaults() {
        return new ConvOptions(null, null, null, null, 1);
    }

    /** Square stride and padding, the common case. */
    public static ConvOptions of(int stride, int padding) {
        return new ConvOptions(new int[] {stride}, new int[] {padding}, null, null, 1);
    }

    public static ConvOptions of(int[] stride, int[] padding, int[] dilation, int groups) {
        return new ConvOptions(stride, padding, dilation, null, groups);
    }

    /** Options of a transposed convolution. */
    public static ConvOptions transposed(int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
        return new ConvOptions(stride, padding, dilation, outputPadding, groups);
    }

    /** null -> {dflt, dflt}; {v} -> {v, v}; {h, w} copied; checks the minimum. */
    private static int[] pair(String name, int[] v, int dflt) {
        int[] out;
        if (v == null) {
            out = new int[] {dflt, dflt};
        } else if (v.length == 1) {
            out = new int[] {v[0], v[0]};
        } else if (v.length == 2) {
            out = v.clone();
        } else {
            throw new IllegalArgumentException("conv: " + name + " needs 1 or 2 values, got " + Arrays.toString(v));
        }
        int min = name.equals("stride") || name.equals("dilation") ? 1 : 0;
        for (int x : out) {
            if (x < min) {
                throw new IllegalArgumentException(
                        "conv: " + name + " must be >= " + min + ", got " + Arrays.toString(v));
            }
        }
        return out;
    }
}
