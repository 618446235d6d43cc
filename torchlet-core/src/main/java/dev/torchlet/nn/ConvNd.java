package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Arrays;

/**
 * Shared state of Conv1d, Conv2d and ConvTranspose2d: weight, optional bias, PyTorch's default
 * init (kaiming uniform with a = sqrt(5): bound 1/sqrt(fan_in) for weight and bias) and printing.
 * Also the argument checks their options records share. The options are validated before this
 * constructor runs.
 */
abstract class ConvNd extends Module {
    protected final int inChannels;
    protected final int outChannels;
    protected final int[] kernel;
    protected final int[] stride;
    protected final int[] padding;
    protected final int[] dilation;
    protected final int groups;

    ConvNd(
            int inChannels,
            int outChannels,
            int[] kernel,
            int[] stride,
            int[] padding,
            int[] dilation,
            int groups,
            boolean bias,
            boolean transposed) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        // weight (Cout, Cin/groups, *kernel), transposed (Cin, Cout/groups, *kernel)
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

    // ---------------------------------------------------------------- checks shared by the options records

    /** Channel counts and groups as PyTorch's _ConvNd checks them: all positive, groups divides both. */
    static void checkChannels(String layer, int inChannels, int outChannels, int groups) {
        atLeast(layer, "inChannels", inChannels, 1);
        atLeast(layer, "outChannels", outChannels, 1);
        atLeast(layer, "groups", groups, 1);
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException(layer + ": groups " + groups + " must divide inChannels " + inChannels);
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException(
                    layer + ": groups " + groups + " must divide outChannels " + outChannels);
        }
    }

    static int atLeast(String layer, String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(layer + ": " + field + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    /** {v} -> {v, v}; {h, w} copied; every entry &gt;= min. */
    static int[] pair(String layer, String field, int[] v, int min) {
        if (v == null || v.length < 1 || v.length > 2) {
            throw new IllegalArgumentException(
                    layer + ": " + field + " needs 1 or 2 values (h, w), got " + Arrays.toString(v));
        }
        int[] out = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        for (int x : out) {
            if (x < min) {
                throw new IllegalArgumentException(
                        layer + ": " + field + " must be >= " + min + ", got " + Arrays.toString(out));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- printing, as PyTorch's extra_repr

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
        StringBuilder sb = new StringBuilder(
                inChannels + ", " + outChannels + ", kernel_size=" + tuple(kernel) + ", stride=" + tuple(stride));
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
