package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/** The inverse of {@link PixelShuffle}: (*, C, H r, W r) to (*, C r^2, H, W), as torch.nn.PixelUnshuffle. */
public class PixelUnshuffle extends Module {
    private final int downscaleFactor;

    public PixelUnshuffle(int downscaleFactor) {
        if (downscaleFactor < 1) {
            throw new IllegalArgumentException("PixelUnshuffle: downscaleFactor must be >= 1, got " + downscaleFactor);
        }
        this.downscaleFactor = downscaleFactor;
    }

    public int downscaleFactor() {
        return downscaleFactor;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.pixelUnshuffle(x, downscaleFactor);
    }

    @Override
    protected String extraRepr() {
        return "downscale_factor=" + downscaleFactor;
    }
}
