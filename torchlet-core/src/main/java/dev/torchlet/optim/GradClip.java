package dev.torchlet.optim;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.List;

/** Gradient clipping, like torch.nn.utils.clip_grad_norm_ / clip_grad_value_. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients by min(1, maxNorm / (total + 1e-6)) where total is the p-norm of all
     * gradients together (p = inf: the largest |g|). Returns the total norm before clipping.
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be non-negative, got " + maxNorm);
        }
        double total = 0;
        for (Tensor p : params) {
            if (p.grad() == null) {
                continue;
            }
            for (double g : p.grad().toDoubleArray()) {
                double a = Math.abs(g);
                total = Double.isInfinite(normType) ? Math.max(total, a) : total + Math.pow(a, normType);
            }
        }
        if (!Double.isInfinite(normType)) {
            total = Math.pow(total, 1 / normType);
        }
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1) {
            try (var ignored = Torch.noGrad()) {
                for (Tensor p : params) {
                    if (p.grad() != null) {
                        p.setGrad(p.grad().mul((float) coef));
                    }
                }
            }
        }
        return total;
    }

    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2.0);
    }

    /** Clamps every gradient element into [-clipValue, clipValue]. */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clipValue must be non-negative, got " + clipValue);
        }
        try (var ignored = Torch.noGrad()) {
            for (Tensor p : params) {
                if (p.grad() != null) {
                    p.setGrad(p.grad().clamp((float) -clipValue, (float) clipValue));
                }
            }
        }
    }
}
