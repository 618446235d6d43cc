package dev.torchlet.nn;

import dev.torchlet.Tensor;
import java.util.Arrays;

/**
 * Squeeze-and-excitation (Hu et al., 2017), as torchvision.ops.SqueezeExcitation: each channel of
 * x (N, C, H, W) is scaled by a gate computed from the whole image,
 * <pre>
 *   scale = scale_activation(fc2(activation(fc1(avgpool(x)))))     // (N, C, 1, 1)
 *   out   = scale * x                                               // (N, C, H, W)
 * </pre>
 * with avgpool = AdaptiveAvgPool2d(1), fc1 = Conv2d(C, squeeze, 1) and fc2 = Conv2d(squeeze, C, 1)
 * (both with bias). Children, in torchvision's order and names: avgpool, fc1, fc2, activation,
 * scale_activation. Defaults ReLU and Sigmoid; MobileNetV3 uses Hardsigmoid as scale activation and
 * EfficientNet SiLU as activation.
 */
public class SqueezeExcitation extends Module {
    private final int inputChannels;

    /** ReLU activation, Sigmoid gate: torchvision's defaults. */
    public SqueezeExcitation(int inputChannels, int squeezeChannels) {
        this(inputChannels, squeezeChannels, new ReLU(), new Sigmoid());
    }

    /**
     * @param activation      applied after fc1 (torchvision's {@code activation}, "delta" in the paper)
     * @param scaleActivation applied after fc2, the gate (torchvision's {@code scale_activation}, "sigma")
     */
    public SqueezeExcitation(int inputChannels, int squeezeChannels, Module activation, Module scaleActivation) {
        if (inputChannels < 1 || squeezeChannels < 1) {
            throw new IllegalArgumentException("SqueezeExcitation: inputChannels and squeezeChannels must be >= 1, got "
                    + inputChannels + " and " + squeezeChannels);
        }
        if (activation == null || scaleActivation == null) {
            throw new IllegalArgumentException("SqueezeExcitation: activation and scaleActivation must not be null");
        }
        this.inputChannels = inputChannels;
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("fc1", new Conv2d(inputChannels, squeezeChannels, 1));
        registerModule("fc2", new Conv2d(squeezeChannels, inputChannels, 1));
        registerModule("activation", activation);
        registerModule("scale_activation", scaleActivation);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inputChannels) {
            throw new IllegalArgumentException("SqueezeExcitation: expected input (N, " + inputChannels
                    + ", H, W), got " + Arrays.toString(x.shape()));
        }
        Tensor scale = child("avgpool").call(x); // (N, C, 1, 1)
        scale = child("fc1").call(scale); // (N, squeeze, 1, 1)
        scale = child("activation").call(scale);
        scale = child("fc2").call(scale); // (N, C, 1, 1)
        scale = child("scale_activation").call(scale);
        return scale.mul(x);
    }
}
