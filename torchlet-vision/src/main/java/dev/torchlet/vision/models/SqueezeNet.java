package dev.torchlet.vision.models;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * SqueezeNet (Iandola et al. 2016, "AlexNet-level accuracy with 50x fewer parameters"), as
 * torchvision's {@code SqueezeNet}: same module names, state-dict keys and default initialization,
 * so {@code squeezenet1_0-b66bff10.pth} and {@code squeezenet1_1-b8a52dc0.pth} load into it.
 *
 * <pre>
 * features    Sequential: a stem conv + ReLU, then Fire blocks with three
 *             MaxPool2d(3, stride 2, ceil_mode) in between          (N, 3, H, W) -> (N, 512, h, w)
 *   1_0: 0 Conv2d(3, 96, 7, stride 2)   1 ReLU   2 MaxPool   3-5 Fire   6 MaxPool   7-10 Fire
 *        11 MaxPool   12 Fire
 *   1_1: 0 Conv2d(3, 64, 3, stride 2)   1 ReLU   2 MaxPool   3-4 Fire   5 MaxPool   6-7 Fire
 *        8 MaxPool   9-12 Fire       (same accuracy as 1_0 with 2.4x less computation)
 * classifier  Sequential: 0 Dropout(0.5)   1 Conv2d(512, numClasses, 1) (the "final conv")
 *             2 ReLU   3 AdaptiveAvgPool2d(1)                       -> (N, numClasses, 1, 1)
 * flatten                                                           -> (N, numClasses)
 * </pre>
 *
 * <p>The pools use ceil mode: at 224x224 input, 1_1 gives 111 -> 55 -> 27 -> 13, where floor mode
 * would give the same, but other sizes (e.g. 66 -> 32 -> 16 rather than 15) differ.
 *
 * <p>Initialization (torchvision's): the final conv's weight ~ N(0, 0.01^2); every other conv's
 * weight ~ kaiming_uniform_ (a = 0, fan_in, leaky_relu: U(-b, b), b = sqrt(6 / fan_in)); all conv
 * biases 0. To fine-tune for another number of classes, replace {@code "classifier.1"} with a
 * {@code Conv2d(512, k, 1)}.
 */
public class SqueezeNet extends Module {
    /** torchvision's SqueezeNet models by function name: numClasses -> model. */
    public static final Map<String, IntFunction<Module>> MODELS = models();

    private final String name;

    /**
     * A SqueezeNet of the given version with torchvision's default initialization.
     *
     * @param version    "1_0" or "1_1", as torchvision's {@code SqueezeNet(version=...)}
     * @param numClasses output channels of the final conv
     * @param dropout    probability of the dropout before the final conv (torchvision: 0.5)
     */
    public SqueezeNet(String version, int numClasses, double dropout) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("SqueezeNet: numClasses must be at least 1, got " + numClasses);
        }
        this.name = "squeezenet" + version;
        Sequential features = switch (version) {
            case "1_0" ->
                new Sequential(
                        new Conv2d(Conv2dOptions.of(3, 96, 7).withStride(2)),
                        new ReLU(),
                        pool(),
                        new Fire(96, 16, 64, 64),
                        new Fire(128, 16, 64, 64),
                        new Fire(128, 32, 128, 128),
                        pool(),
                        new Fire(256, 32, 128, 128),
                        new Fire(256, 48, 192, 192),
                        new Fire(384, 48, 192, 192),
                        new Fire(384, 64, 256, 256),
                        pool(),
                        new Fire(512, 64, 256, 256));
            case "1_1" ->
                new Sequential(
                        new Conv2d(Conv2dOptions.of(3, 64, 3).withStride(2)),
                        new ReLU(),
                        pool(),
                        new Fire(64, 16, 64, 64),
                        new Fire(128, 16, 64, 64),
                        pool(),
                        new Fire(128, 32, 128, 128),
                        new Fire(256, 32, 128, 128),
                        pool(),
                        new Fire(256, 48, 192, 192),
                        new Fire(384, 48, 192, 192),
                        new Fire(384, 64, 256, 256),
                        new Fire(512, 64, 256, 256));
            default ->
                throw new IllegalArgumentException(
                        "SqueezeNet: unsupported version '" + version + "': 1_0 or 1_1 expected");
        };
        registerModule("features", features);
        Conv2d finalConv = new Conv2d(512, numClasses, 1);
        registerModule(
                "classifier", new Sequential(new Dropout(dropout), finalConv, new ReLU(), new AdaptiveAvgPool2d(1)));

        // torchvision: final conv N(0, 0.01), the other convs kaiming_uniform_ with its defaults, biases 0
        for (Module m : modules()) {
            if (m instanceof Conv2d conv) {
                if (conv == finalConv) {
                    Init.normal(conv.weight(), 0, 0.01);
                } else {
                    Init.kaimingUniform(conv.weight(), 0, Init.FanMode.FAN_IN, "leaky_relu");
                }
                Init.zeros(conv.bias());
            }
        }
    }

    /** SqueezeNet 1.0 (the paper's): 1.25M parameters at 1000 classes. */
    public static SqueezeNet squeezenet1_0(int numClasses) {
        return new SqueezeNet("1_0", numClasses, 0.5);
    }

    /** SqueezeNet 1.1: 1.24M parameters at 1000 classes, 2.4x cheaper than 1.0. */
    public static SqueezeNet squeezenet1_1(int numClasses) {
        return new SqueezeNet("1_1", numClasses, 0.5);
    }

    private static Map<String, IntFunction<Module>> models() {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("squeezenet1_0", SqueezeNet::squeezenet1_0);
        m.put("squeezenet1_1", SqueezeNet::squeezenet1_1);
        return Collections.unmodifiableMap(m);
    }

    private static MaxPool2d pool() {
        return new MaxPool2d(3, 2, 0, 1, true);
    }

    /** (N, 3, H, W) images -> (N, numClasses) logits. */
    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        Tensor y = child("features").call(x); // (N, 512, h, w)
        y = child("classifier").call(y); // (N, numClasses, 1, 1)
        return y.flatten(1); // (N, numClasses)
    }

    /** Rank 4, and the channels the stem conv expects (3, unless features.0 was replaced). */
    private void checkInput(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(
                    name + ": expected images (N, 3, H, W), got input of shape " + Shape.str(x.shape()));
        }
        Module stem = child("features").namedChildren().get("0");
        if (stem instanceof Conv2d conv && x.size(1) != conv.options().inChannels()) {
            throw new IllegalArgumentException(
                    name + ": input " + Shape.str(x.shape()) + " has " + x.size(1) + " channels, but features.0 ("
                            + conv + ") expects " + conv.options().inChannels());
        }
    }

    /**
     * The Fire module: a 1x1 "squeeze" conv to few channels, then 1x1 and 3x3 "expand" convs whose
     * outputs are concatenated. (N, inplanes, H, W) -> (N, expand1x1 + expand3x3, H, W). Children, as
     * torchvision's: squeeze, squeeze_activation, expand1x1, expand1x1_activation, expand3x3 (padding
     * 1), expand3x3_activation.
     */
    public static class Fire extends Module {
        public Fire(int inplanes, int squeezePlanes, int expand1x1Planes, int expand3x3Planes) {
            registerModule("squeeze", new Conv2d(inplanes, squeezePlanes, 1));
            registerModule("squeeze_activation", new ReLU());
            registerModule("expand1x1", new Conv2d(squeezePlanes, expand1x1Planes, 1));
            registerModule("expand1x1_activation", new ReLU());
            registerModule("expand3x3", new Conv2d(squeezePlanes, expand3x3Planes, 3, 1, 1));
            registerModule("expand3x3_activation", new ReLU());
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor s = child("squeeze_activation").call(child("squeeze").call(x)); // (N, squeeze, H, W)
            Tensor e1 = child("expand1x1_activation").call(child("expand1x1").call(s)); // (N, e1, H, W)
            Tensor e3 = child("expand3x3_activation").call(child("expand3x3").call(s)); // (N, e3, H, W)
            return Torch.cat(List.of(e1, e3), 1);
        }
    }
}
