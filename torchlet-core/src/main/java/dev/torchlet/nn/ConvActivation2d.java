package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.ops.ConvOptions;
import dev.torchlet.ops.Convolution;

/**
 * A {@link Conv2d} followed by ReLU or ReLU6, as one layer: {@code clamp(conv2d(x, W, b), lo, hi)} with lo = 0 and
 * hi = +inf (ReLU) or 6 (ReLU6). The idea of PyTorch's {@code torch.ao.nn.intrinsic.ConvReLU2d}, made by
 * {@link Fusion#fuseForInference} the way inference runtimes fuse an activation into the convolution before it.
 * Without autograd the clamp is applied inside the convolution kernels as each output tile is stored, saving a
 * pass over the output; with it, the layer records conv2d then relu/clamp, so gradients are the unfused pair's.
 * Same parameters and state-dict names as the Conv2d it replaces.
 */
public class ConvActivation2d extends Conv2d {
    private final float lo;
    private final float hi;

    /** A convolution with the given options, followed by clamp(., lo, hi); see {@link #relu} and {@link #relu6}. */
    public ConvActivation2d(Conv2dOptions options, float lo, float hi) {
        super(options);
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("ConvActivation2d: expected lo <= hi, got " + lo + " and " + hi);
        }
        this.lo = lo;
        this.hi = hi;
    }

    /** conv then ReLU. */
    public static ConvActivation2d relu(Conv2dOptions options) {
        return new ConvActivation2d(options, 0f, Float.POSITIVE_INFINITY);
    }

    /** conv then ReLU6. */
    public static ConvActivation2d relu6(Conv2dOptions options) {
        return new ConvActivation2d(options, 0f, 6f);
    }

    /** The lower clamp bound (0 for both activations). */
    public float lo() {
        return lo;
    }

    /** The upper clamp bound: +inf for ReLU, 6 for ReLU6. */
    public float hi() {
        return hi;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2dClamped(
                x, weight(), bias(), ConvOptions.of(stride, padding, dilation, groups), lo, hi);
    }

    @Override
    protected String extraRepr() {
        String activation = hi == Float.POSITIVE_INFINITY ? "relu" : "clamp=(" + lo + ", " + hi + ")";
        return super.extraRepr() + ", " + activation;
    }
}
