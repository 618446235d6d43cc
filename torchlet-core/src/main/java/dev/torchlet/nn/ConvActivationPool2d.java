package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.ops.ConvOptions;
import dev.torchlet.ops.Convolution;

/**
 * A {@link ConvActivation2d} followed by a {@link MaxPool2d}, as one layer: {@code maxpool(clamp(conv2d(x, W, b),
 * lo, hi))}, made by {@link Fusion#fuseForInference} from ResNet's and DenseNet's stem (convolution, batch norm,
 * ReLU, 3x3 stride-2 max pooling). Without autograd, on a channels-last float32 batch, the convolution's rows are
 * pooled as they are computed and its output is never stored whole ({@link Convolution#conv2dClampedMaxPool});
 * otherwise it records the convolution, the clamp and the pooling, so gradients are the unfused layers'. Same
 * parameters and state-dict names as the Conv2d it replaces.
 */
public class ConvActivationPool2d extends ConvActivation2d {
    private final int poolKernel;
    private final int poolStride;
    private final int poolPadding;
    private final int poolDilation;
    private final boolean ceilMode;

    /**
     * A convolution with the given options, clamp(., lo, hi), then max pooling with pool's settings (kernel, stride,
     * padding, dilation and ceil mode).
     */
    public ConvActivationPool2d(Conv2dOptions options, float lo, float hi, MaxPool2d pool) {
        super(options, lo, hi);
        this.poolKernel = pool.kernel();
        this.poolStride = pool.stride();
        this.poolPadding = pool.padding();
        this.poolDilation = pool.dilation();
        this.ceilMode = pool.ceilMode();
    }

    /** The pooling this layer applies after its activation, as a module of its own. */
    public MaxPool2d pool() {
        return new MaxPool2d(poolKernel, poolStride, poolPadding, poolDilation, ceilMode);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Convolution.conv2dClampedMaxPool(
                x,
                weight(),
                bias(),
                ConvOptions.of(stride, padding, dilation, groups),
                lo(),
                hi(),
                new int[] {poolKernel},
                new int[] {poolStride},
                new int[] {poolPadding},
                new int[] {poolDilation},
                ceilMode);
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", max_pool=(" + pool().extraRepr() + ")";
    }
}
