package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** Resizes (N, C, H, W) by a scale factor or to a size, mode "nearest" (default) or "bilinear". */
public class Upsample extends Module {
    private final int[] size;
    private final double[] scale;
    private final String mode;
    private final boolean alignCorners;

    public Upsample(double scaleFactor, String mode) {
        this(null, new double[] {scaleFactor, scaleFactor}, mode, false);
    }

    public Upsample(int[] size, double[] scaleFactor, String mode, boolean alignCorners) {
        this.size = size == null ? null : size.clone();
        this.scale = scaleFactor == null ? null : scaleFactor.clone();
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.interpolate(x, size, scale, mode, alignCorners);
    }

    @Override
    protected String extraRepr() {
        return (scale != null ? "scale_factor=" + scale[0] : "size=(" + size[0] + ", " + size[1] + ")") + ", mode='"
                + mode + "'";
    }
}
