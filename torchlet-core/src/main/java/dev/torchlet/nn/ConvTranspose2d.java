package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * Transposed 2-D convolution (the gradient of Conv2d w.r.t. its input):
 * H' = (H - 1) s - 2p + d(k - 1) + outputPadding + 1. Weight (Cin, Cout/groups, kH, kW).
 */
public class ConvTranspose2d extends ConvNd {
    private final int[] outputPadding;

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, kernelSize, stride, padding, 0, 1, true, 1);
    }

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding,
                           int outputPadding, int groups, boolean bias, int dilation) {
        super("ConvTranspose2d", inChannels, outChannels, new int[] {kernelSize, kernelSize},
                new int[] {stride, stride}, new int[] {padding, padding}, new int[] {dilation, dilation}, groups, bias,
                true);
        this.outputPadding = new int[] {outputPadding, outputPadding};
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.convTranspose2d(x, weight(), bias(), stride, padding, outputPadding, groups, dilation);
    }
}
