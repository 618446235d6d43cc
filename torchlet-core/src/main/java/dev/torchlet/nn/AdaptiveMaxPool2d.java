package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** Max into a fixed (outH, outW) grid whatever the input size. */
public class AdaptiveMaxPool2d extends Module {
    private final int outH;
    private final int outW;

    public AdaptiveMaxPool2d(int outputSize) {
        this(outputSize, outputSize);
    }

    public AdaptiveMaxPool2d(int outH, int outW) {
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.adaptiveMaxPool2d(x, outH, outW);
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + (outH == outW ? Integer.toString(outH) : "(" + outH + ", " + outW + ")");
    }
}
