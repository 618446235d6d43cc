package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** Max over kernel x kernel windows (stride defaults to the kernel). (N, C, H, W) -> (N, C, H', W'). */
public class MaxPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final boolean ceilMode;

    public MaxPool2d(int kernel) {
        this(kernel, kernel);
    }

    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0, 1, false);
    }

    public MaxPool2d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.ceilMode = ceilMode;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public int dilation() {
        return dilation;
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.maxPool2d(x, kernel, stride, padding, dilation, ceilMode);
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", dilation=" + dilation
                + ", ceil_mode=" + (ceilMode ? "True" : "False");
    }
}
