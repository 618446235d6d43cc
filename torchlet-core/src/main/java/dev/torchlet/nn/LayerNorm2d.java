package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;

/**
 * A channels-last layer norm on a channels-first image, as torchvision's {@code LayerNorm2d}
 * (ConvNeXt's stem, downsampling layers and classifier): x (N, C, H, W) is normalized over its C
 * channels at every position (n, h, w),
 * <pre>
 *   y[n, :, h, w] = (x[n, :, h, w] - mean) / sqrt(var + eps) * weight + bias    // biased variance over C
 * </pre>
 * which is {@code permute(0, 2, 3, 1)}, {@code LayerNorm(C)}, {@code permute(0, 3, 1, 2)}. Parameters
 * {@code weight} (C) = 1 and {@code bias} (C) = 0, torchvision's initialization; eps 1e-5 by default
 * (PyTorch's LayerNorm default), ConvNeXt uses 1e-6.
 */
public class LayerNorm2d extends Module {
    private final int channels;
    private final double eps;

    /** eps 1e-5, as torchvision's LayerNorm2d(C). */
    public LayerNorm2d(int channels) {
        this(channels, 1e-5);
    }

    public LayerNorm2d(int channels, double eps) {
        if (channels < 1 || !(eps > 0)) {
            throw new IllegalArgumentException(
                    "LayerNorm2d: channels must be >= 1 and eps > 0, got " + channels + " and " + eps);
        }
        this.channels = channels;
        this.eps = eps;
        registerParameter("weight", Torch.ones(channels));
        registerParameter("bias", Torch.zeros(channels));
    }

    public int channels() {
        return channels;
    }

    public double eps() {
        return eps;
    }

    @Override
    public Tensor forward(Tensor x) { // (N, C, H, W) -> (N, C, H, W)
        if (x.dim() != 4 || x.size(1) != channels) {
            throw new IllegalArgumentException(
                    "LayerNorm2d: expected (N, " + channels + ", H, W), got " + Shape.str(x.shape()));
        }
        return F.layerNorm2d(x, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() {
        return "(" + channels + ",), eps=" + eps + ", elementwise_affine=True";
    }
}
