package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;

/**
 * Shared state of Conv1d, Conv2d and ConvTranspose2d: weight, optional bias, PyTorch's default
 * init (kaiming uniform with a = sqrt(5): bound 1/sqrt(fan_in) for weight and bias) and printing.
 */
abstract class ConvNd extends Module {
    protected final int inChannels;
    protected final int outChannels;
    protected final int[] kernel;
    protected final int[] stride;
    protected final int[] padding;
    protected final int[] dilation;
    protected final int groups;

    ConvNd(String op, int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation,
           int groups, boolean bias, boolean transposed) {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0
                || outChannels % groups != 0) {
            throw new IllegalArgumentException(op + ": in_channels " + inChannels + " and out_channels " + outChannels
                    + " must be positive and divisible by groups " + groups);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        int[] shape = new int[2 + kernel.length];
        shape[0] = transposed ? inChannels : outChannels;
        shape[1] = transposed ? outChannels / groups : inChannels / groups;
        System.arraycopy(kernel, 0, shape, 2, kernel.length);
        Tensor w = registerParameter("weight", Torch.zeros(shape));
        Tensor b = registerParameter("bias", bias ? Torch.zeros(outChannels) : null);
        // PyTorch computes fan_in from the weight tensor: size(1) * kernel area
        Linear.resetParameters(w, b, Init.fans(w)[0]);
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    private static String tuple(int[] v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            sb.append(i > 0 ? ", " : "").append(v[i]);
        }
        return sb.append(v.length == 1 ? ",)" : ")").toString();
    }

    private static boolean all(int[] v, int x) {
        for (int i : v) {
            if (i != x) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder(inChannels + ", " + outChannels + ", kernel_size=" + tuple(kernel)
                + ", stride=" + tuple(stride));
        if (!all(padding, 0)) {
            sb.append(", padding=").append(tuple(padding));
        }
        if (!all(dilation, 1)) {
            sb.append(", dilation=").append(tuple(dilation));
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (bias() == null) {
            sb.append(", bias=False");
        }
        return sb.toString();
    }
}
