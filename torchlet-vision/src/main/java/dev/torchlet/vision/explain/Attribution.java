package dev.torchlet.vision.explain;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;

/**
 * Gradient attributions of a class score to the input pixels:
 * <ul>
 *   <li>{@link #saliency}: vanilla gradient (Simonyan et al., 2014), max over channels of |dy/dx|;</li>
 *   <li>{@link #integratedGradients} (Sundararajan et al., 2017) from a baseline x0 along the straight
 *       path, with the right Riemann sum: (x - x0) * (1/m) sum_{k=1..m} dy/dx at x0 + (k/m)(x - x0).</li>
 * </ul>
 * y is the logit of the target class of each image; the parameters' gradients are left as they were.
 */
public final class Attribution {
    private Attribution() {}

    /** Saliency maps (B, H, W): max over channels of |d score / d input|. */
    public static Tensor saliency(Module model, Tensor input, Tensor targetClasses) {
        Tensor grad = inputGradient(model, input, targetClasses);
        try (var g = Torch.noGrad()) {
            return grad.abs().max(1, false).values();
        }
    }

    /** Integrated gradients (B, C, H, W) from a baseline (null: zeros) in {@code steps} steps. */
    public static Tensor integratedGradients(
            Module model, Tensor input, Tensor targetClasses, Tensor baseline, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("integratedGradients: steps must be at least 1, got " + steps);
        }
        Tensor x0 = baseline == null ? Torch.zeros(input.shape()) : baseline.detach();
        Tensor delta = input.detach().sub(x0);
        Tensor sum = Torch.zeros(input.shape());
        for (int k = 1; k <= steps; k++) {
            Tensor point = x0.add(delta.mul((float) k / steps));
            sum = sum.add(inputGradient(model, point, targetClasses));
        }
        try (var g = Torch.noGrad()) {
            return delta.mul(sum).div((float) steps);
        }
    }

    /** d (sum over the batch of each image's target logit) / d input, (B, C, H, W). */
    static Tensor inputGradient(Module model, Tensor input, Tensor targetClasses) {
        Tensor x = input.detach().requiresGrad(true);
        backwardKeepingParameterGrads(model, () -> targetScore(model.call(x), targetClasses));
        return x.grad();
    }

    /**
     * Runs backward from the score, then puts every parameter's gradient back as it was, so explaining
     * a model in the middle of training does not disturb its accumulated gradients.
     */
    static void backwardKeepingParameterGrads(Module model, java.util.function.Supplier<Tensor> score) {
        java.util.List<Tensor> params = model.parameters();
        Tensor[] saved = new Tensor[params.size()];
        for (int i = 0; i < saved.length; i++) {
            saved[i] = params.get(i).grad();
        }
        try {
            score.get().backward();
        } finally {
            for (int i = 0; i < saved.length; i++) {
                params.get(i).setGrad(saved[i]);
            }
        }
    }

    /** Sum over the batch of logits[b, target[b]]: logits (B, classes), target int64 (B). */
    static Tensor targetScore(Tensor logits, Tensor targetClasses) {
        if (logits.dim() != 2
                || targetClasses.dtype() != DType.INT64
                || targetClasses.dim() != 1
                || targetClasses.size(0) != logits.size(0)) {
            throw new IllegalArgumentException("explain: expected logits (B, classes) and int64 targets (B), got "
                    + java.util.Arrays.toString(logits.shape()) + " and " + targetClasses.dtype() + " "
                    + java.util.Arrays.toString(targetClasses.shape()));
        }
        return logits.gather(1, targetClasses.unsqueeze(1)).sum();
    }

    /** Each map of (B, ...) scaled to [0, 1]: (m - min) / (max - min), zeros where max == min. */
    public static Tensor scaleToUnit(Tensor maps) {
        int b = maps.size(0);
        Tensor flat = maps.reshape(b, -1);
        Tensor min = flat.min(1, true).values();
        Tensor range = flat.max(1, true).values().sub(min);
        Tensor safe = range.add(range.eq(0f).to(DType.FLOAT32)); // 1 where the map is constant
        return flat.sub(min).div(safe).reshape(maps.shape());
    }
}
