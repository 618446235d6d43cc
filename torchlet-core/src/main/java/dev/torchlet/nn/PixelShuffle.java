package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * Rearranges (*, C r^2, H, W) to (*, C, H r, W r), as torch.nn.PixelShuffle: sub-pixel convolution's
 * upsampling (a conv to C r^2 channels, then this).
 */
public class PixelShuffle extends Module {
    private final int upscaleFactor;

    public PixelShuffle(int upscaleFactor) {
        if (upscaleFactor < 1) {
            throw new IllegalArgumentException("PixelShuffle: upscaleFactor must be >= 1, got " + upscaleFactor);
        }
        this.upscaleFactor = upscaleFactor;
    }

    public int upscaleFactor() {
        return upscaleFactor;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.pixelShuffle(x, upscaleFactor);
    }

    @Override
    protected String extraRepr() {
        return "upscale_factor=" + upscaleFactor;
    }
}
