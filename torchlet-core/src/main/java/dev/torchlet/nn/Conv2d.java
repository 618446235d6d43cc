package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * 2-D convolution: (N, Cin, H, W) -> (N, Cout, H', W'), H' = (H + 2p - d(k - 1) - 1) / s + 1.
 * Weight (Cout, Cin/groups, kH, kW), bias (Cout).
 */
public class Conv2d extends ConvNd {
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, new int[] {kernelSize, kernelSize}, new int[] {stride, stride},
                new int[] {padding, padding}, new int[] {1, 1}, 1, true);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
                  boolean bias) {
        this(inChannels, outChannels, new int[] {kernelSize, kernelSize}, new int[] {stride, stride},
                new int[] {padding, padding}, new int[] {dilation, dilation}, groups, bias);
    }

    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias) {
        super("Conv2d", inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv2d(x, weight(), bias(), stride, padding, dilation, groups);
    }
}
