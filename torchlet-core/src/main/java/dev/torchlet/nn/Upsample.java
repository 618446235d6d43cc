package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * Resizes (N, C, H, W) by a scale factor or to a size, as torch.nn.Upsample with mode "nearest" or
 * "bilinear" (alignCorners for bilinear only). A scale factor s gives floor(H s) rows and maps output
 * row o to source row o / s (PyTorch's default recompute_scale_factor=None); see {@link F#interpolate}.
 */
public class Upsample extends Module {
    private final int[] size;
    private final double[] scale;
    private final String mode;
    private final boolean alignCorners;

    public Upsample(double scaleFactor, String mode) {
        this(null, new double[] {scaleFactor, scaleFactor}, mode, false);
    }

    /** By one scale factor for both sides; alignCorners for bilinear. */
    public Upsample(double scaleFactor, String mode, boolean alignCorners) {
        this(null, new double[] {scaleFactor, scaleFactor}, mode, alignCorners);
    }

    /** To a fixed size {H', W'}. */
    public Upsample(int[] size, String mode) {
        this(size, null, mode, false);
    }

    /** Exactly one of size {H', W'} and scaleFactor {sh, sw} non-null, as torch.nn.Upsample. */
    public Upsample(int[] size, double[] scaleFactor, String mode, boolean alignCorners) {
        if ((size == null) == (scaleFactor == null)) {
            throw new IllegalArgumentException("Upsample: give exactly one of size and scaleFactor");
        }
        if (size != null && size.length != 2 || scaleFactor != null && scaleFactor.length != 2) {
            throw new IllegalArgumentException("Upsample: size and scaleFactor have two entries (height, width)");
        }
        if (!"nearest".equals(mode) && !"bilinear".equals(mode)) {
            throw new IllegalArgumentException("Upsample: mode must be 'nearest' or 'bilinear', got '" + mode + "'");
        }
        if (alignCorners && !"bilinear".equals(mode)) {
            throw new IllegalArgumentException("Upsample: alignCorners only has an effect for bilinear mode");
        }
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
        String what = scale != null
                ? "scale_factor=" + (scale[0] == scale[1] ? "" + scale[0] : "(" + scale[0] + ", " + scale[1] + ")")
                : "size=(" + size[0] + ", " + size[1] + ")";
        return what + ", mode='" + mode + "'" + (alignCorners ? ", align_corners=True" : "");
    }
}
