package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** 1-D convolution: (N, Cin, L) -> (N, Cout, L'). Weight (Cout, Cin/groups, k), bias (Cout). */
public class Conv1d extends ConvNd {
    public Conv1d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
    }

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
                  boolean bias) {
        super("Conv1d", inChannels, outChannels, new int[] {kernelSize}, new int[] {stride}, new int[] {padding},
                new int[] {dilation}, groups, bias, false);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv1d(x, weight(), bias(), stride[0], padding[0], dilation[0], groups);
    }
}
