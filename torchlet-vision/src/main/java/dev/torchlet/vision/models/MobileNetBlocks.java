package dev.torchlet.vision.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.BatchNormOptions;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Building blocks shared by MobileNetV2, MobileNetV3 and EfficientNet: torchvision's
 * {@code Conv2dNormActivation}, {@code _make_divisible}, the common weight initialization and the
 * input check.
 */
final class MobileNetBlocks {
    private MobileNetBlocks() {}

    /**
     * torchvision's Conv2dNormActivation: a Sequential of "0" Conv2d(in, out, kernel, stride,
     * padding = (kernel - 1) / 2, groups, no bias), "1" BatchNorm2d(out) and, unless activation is
     * null, "2" the activation.
     */
    static Sequential convNormActivation(
            int in, int out, int kernel, int stride, int groups, BatchNormOptions bn, Supplier<Module> activation) {
        Sequential s = new Sequential(
                new Conv2d(Conv2dOptions.of(in, out, kernel)
                        .withStride(stride)
                        .withPadding((kernel - 1) / 2)
                        .withGroups(groups)
                        .withBias(false)),
                new BatchNorm2d(bn.withNumFeatures(out)));
        if (activation != null) {
            s.add(activation.get());
        }
        return s;
    }

    /**
     * torchvision's {@code _make_divisible}: v rounded to the nearest multiple of divisor (at least
     * minValue, divisor when null), bumped up by one divisor if that loses more than 10%.
     */
    static int makeDivisible(double v, int divisor, Integer minValue) {
        int min = minValue == null ? divisor : minValue;
        int rounded = Math.max(min, (int) (v + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * v) {
            rounded += divisor;
        }
        return rounded;
    }

    static int makeDivisible(double v, int divisor) {
        return makeDivisible(v, divisor, null);
    }

    /**
     * The init loop of torchvision's mobile models: every Conv2d (squeeze-excitation's included)
     * kaiming_normal_(mode="fan_out") (a = 0, leaky_relu gain sqrt(2), so std sqrt(2 / fan_out)) with
     * zero bias; BatchNorm weight 1, bias 0; every Linear by linearInit.
     */
    static void initWeights(Module model, Consumer<Linear> linearInit) {
        for (Module m : model.modules()) {
            if (m instanceof Conv2d c) {
                Init.kaimingNormal(c.weight(), 0, Init.FanMode.FAN_OUT, "leaky_relu");
                if (c.bias() != null) {
                    Init.zeros(c.bias());
                }
            } else if (m instanceof BatchNorm2d bn) {
                Init.ones(bn.weight());
                Init.zeros(bn.bias());
            } else if (m instanceof Linear l) {
                linearInit.accept(l);
            }
        }
    }

    /**
     * Rejects anything but (N, C, H, W) with the channels the stem convolution at stemPath expects,
     * naming the model and the layer.
     */
    static void checkInput(String model, Module root, String stemPath, Tensor x) {
        Module stem = root.getSubmodule(stemPath);
        int channels = stem instanceof Conv2d c ? c.options().inChannels() : -1;
        if (x.dim() != 4 || channels > 0 && x.size(1) != channels) {
            throw new IllegalArgumentException(model + ": expected input (N, " + (channels > 0 ? channels : "C")
                    + ", H, W) for " + stemPath + " (" + stem + "), got " + Arrays.toString(x.shape()));
        }
    }
}
