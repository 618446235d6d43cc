package dev.torchlet.vision.explain;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;

/**
 * Grad-CAM (Selvaraju et al., 2017) on any convolutional layer by module path: with A the layer's
 * output (B, C, h, w) and y the score (logit) of the target class,
 * <pre>
 *   alpha_c = mean over (h, w) of dy/dA_c          per image and channel
 *   cam     = relu(sum_c alpha_c A_c)              (B, h, w)
 * </pre>
 * {@link #heatMap} upsamples it bilinearly to the input size and scales each map to [0, 1].
 * The gradient at A is taken by replacing A, in a forward hook, with a leaf copy of it that requires
 * grad. The parameters' gradients are left as they were.
 */
public final class GradCam {
    private final Module model;
    private final String layer;

    public GradCam(Module model, String layerPath) {
        model.getSubmodule(layerPath); // fails early, naming the path
        this.model = model;
        this.layer = layerPath;
    }

    /** Raw class activation maps (B, h, w) for one target class per image (int64 (B)). */
    public Tensor cam(Tensor input, Tensor targetClasses) {
        Tensor[] activation = new Tensor[1];
        var hook = model.getSubmodule(layer).registerForwardHook((m, in, out) -> {
            activation[0] = out.detach().requiresGrad(true);
            return activation[0];
        });
        try {
            Attribution.backwardKeepingParameterGrads(model, () -> {
                Tensor logits = model.call(input.detach());
                if (activation[0] == null || activation[0].dim() != 4) {
                    throw new IllegalArgumentException("GradCam: layer '" + layer + "' must output (B, C, h, w), "
                            + "got " + (activation[0] == null ? "nothing (it did not run)" : shape(activation[0])));
                }
                return Attribution.targetScore(logits, targetClasses);
            });
        } finally {
            hook.remove();
        }
        Tensor a = activation[0].detach();
        Tensor grad = activation[0].grad();
        try (var g = Torch.noGrad()) {
            Tensor alpha = grad.mean(3, true).mean(2, true); // (B, C, 1, 1)
            return F.relu(a.mul(alpha).sum(1, false)); // (B, h, w)
        }
    }

    /** The maps upsampled to (B, H, W) of the input and min-max scaled to [0, 1] per image. */
    public Tensor heatMap(Tensor input, Tensor targetClasses) {
        Tensor cam = cam(input, targetClasses);
        try (var g = Torch.noGrad()) {
            Tensor up = F.interpolate(cam.unsqueeze(1), new int[] {input.size(2), input.size(3)}, "bilinear", false)
                    .squeeze(1);
            return Attribution.scaleToUnit(up);
        }
    }

    private static String shape(Tensor t) {
        return java.util.Arrays.toString(t.shape());
    }
}
