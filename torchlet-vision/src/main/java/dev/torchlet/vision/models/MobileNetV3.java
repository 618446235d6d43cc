package dev.torchlet.vision.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.BatchNormOptions;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Hardsigmoid;
import dev.torchlet.nn.Hardswish;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.SqueezeExcitation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * MobileNetV3 (Howard et al., 2019), as torchvision.models.mobilenet_v3_large / mobilenet_v3_small:
 * inverted residual blocks with optional squeeze-excitation (Hardsigmoid gate) and ReLU or Hardswish.
 * BatchNorm everywhere with eps 0.001 and momentum 0.01. For a 224x224 input (large / small):
 * <pre>
 *   features.0        Conv2dNormActivation 3 -&gt; 16, 3x3 stride 2, Hardswish   (N, 16, 112, 112)
 *   features.1..15/11 InvertedResidual (Tables 1 and 2 of the paper)          (N, 160 / 96, 7, 7)
 *   features.16/12    Conv2dNormActivation -&gt; 960 / 576, 1x1, Hardswish      (N, 960 / 576, 7, 7)
 *   avgpool           AdaptiveAvgPool2d(1), then flatten                      (N, 960 / 576)
 *   classifier        0 Linear(960 / 576, 1280 / 1024), 1 Hardswish, 2 Dropout(0.2), 3 Linear(-, numClasses)
 * </pre>
 * Block names as torchvision: {@code features.4.block.2.fc1.weight} (expand "0", depthwise "1", SE "2",
 * project "3"; without expansion or SE the following ones move up). Init as torchvision: convs
 * kaiming normal (fan_out), BatchNorm 1/0, Linear N(0, 0.01) with zero bias.
 */
public final class MobileNetV3 extends Module {
    /** The zoo's MobileNetV3 models by torchvision's name. */
    public static final Map<String, IntFunction<Module>> MODELS;

    static {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("mobilenet_v3_large", MobileNetV3::mobilenetV3Large);
        m.put("mobilenet_v3_small", MobileNetV3::mobilenetV3Small);
        MODELS = Collections.unmodifiableMap(m);
    }

    /** torchvision's norm_layer for MobileNetV3: BatchNorm2d(eps=0.001, momentum=0.01). */
    static final BatchNormOptions NORM = BatchNormOptions.of(1).withEps(0.001).withMomentum(0.01);

    /**
     * One row of torchvision's InvertedResidualConfig (channels already adjusted to the width).
     *
     * @param inputChannels    block input channels
     * @param kernel           depthwise kernel size (3 or 5)
     * @param expandedChannels channels after the 1x1 expansion
     * @param outChannels      block output channels
     * @param useSe            whether a squeeze-excitation follows the depthwise conv
     * @param useHardswish     Hardswish ("HS") or ReLU ("RE")
     * @param stride           depthwise stride, 1 or 2
     */
    public record BlockConfig(
            int inputChannels,
            int kernel,
            int expandedChannels,
            int outChannels,
            boolean useSe,
            boolean useHardswish,
            int stride) {
        public BlockConfig {
            if (stride != 1 && stride != 2) {
                throw new IllegalArgumentException("MobileNetV3: illegal stride value " + stride);
            }
            if (inputChannels < 1 || expandedChannels < 1 || outChannels < 1 || kernel < 1) {
                throw new IllegalArgumentException("MobileNetV3: channels and kernel must be >= 1, got in "
                        + inputChannels + ", expanded " + expandedChannels + ", out " + outChannels + ", kernel "
                        + kernel);
            }
        }

        /** A row as torchvision's bneck_conf(input, kernel, expanded, out, use_se, "HS"/"RE", stride) at width 1. */
        static BlockConfig of(int in, int kernel, int expanded, int out, boolean se, String act, int stride) {
            return new BlockConfig(in, kernel, expanded, out, se, act.equals("HS"), stride);
        }
    }

    private static final List<BlockConfig> LARGE = List.of(
            BlockConfig.of(16, 3, 16, 16, false, "RE", 1),
            BlockConfig.of(16, 3, 64, 24, false, "RE", 2), // C1
            BlockConfig.of(24, 3, 72, 24, false, "RE", 1),
            BlockConfig.of(24, 5, 72, 40, true, "RE", 2), // C2
            BlockConfig.of(40, 5, 120, 40, true, "RE", 1),
            BlockConfig.of(40, 5, 120, 40, true, "RE", 1),
            BlockConfig.of(40, 3, 240, 80, false, "HS", 2), // C3
            BlockConfig.of(80, 3, 200, 80, false, "HS", 1),
            BlockConfig.of(80, 3, 184, 80, false, "HS", 1),
            BlockConfig.of(80, 3, 184, 80, false, "HS", 1),
            BlockConfig.of(80, 3, 480, 112, true, "HS", 1),
            BlockConfig.of(112, 3, 672, 112, true, "HS", 1),
            BlockConfig.of(112, 5, 672, 160, true, "HS", 2), // C4
            BlockConfig.of(160, 5, 960, 160, true, "HS", 1),
            BlockConfig.of(160, 5, 960, 160, true, "HS", 1));

    private static final List<BlockConfig> SMALL = List.of(
            BlockConfig.of(16, 3, 16, 16, true, "RE", 2), // C1
            BlockConfig.of(16, 3, 72, 24, false, "RE", 2), // C2
            BlockConfig.of(24, 3, 88, 24, false, "RE", 1),
            BlockConfig.of(24, 5, 96, 40, true, "HS", 2), // C3
            BlockConfig.of(40, 5, 240, 40, true, "HS", 1),
            BlockConfig.of(40, 5, 240, 40, true, "HS", 1),
            BlockConfig.of(40, 5, 120, 48, true, "HS", 1),
            BlockConfig.of(48, 5, 144, 48, true, "HS", 1),
            BlockConfig.of(48, 5, 288, 96, true, "HS", 2), // C4
            BlockConfig.of(96, 5, 576, 96, true, "HS", 1),
            BlockConfig.of(96, 5, 576, 96, true, "HS", 1));

    private final String name;

    /** torchvision.models.mobilenet_v3_large(num_classes=numClasses): last channel 1280, dropout 0.2. */
    public static MobileNetV3 mobilenetV3Large(int numClasses) {
        return new MobileNetV3("mobilenet_v3_large", LARGE, 1280, numClasses, 0.2);
    }

    /** torchvision.models.mobilenet_v3_small(num_classes=numClasses): last channel 1024, dropout 0.2. */
    public static MobileNetV3 mobilenetV3Small(int numClasses) {
        return new MobileNetV3("mobilenet_v3_small", SMALL, 1024, numClasses, 0.2);
    }

    /**
     * @param name        name in error messages ("mobilenet_v3_large")
     * @param setting     the inverted residual blocks, in order (non-empty)
     * @param lastChannel width of the classifier's hidden layer
     * @param numClasses  outputs, &gt;= 1
     * @param dropout     dropout probability in the classifier
     */
    public MobileNetV3(String name, List<BlockConfig> setting, int lastChannel, int numClasses, double dropout) {
        if (setting == null || setting.isEmpty()) {
            throw new IllegalArgumentException("MobileNetV3: the inverted residual setting should not be empty");
        }
        if (numClasses < 1 || lastChannel < 1) {
            throw new IllegalArgumentException(
                    "MobileNetV3: numClasses and lastChannel must be >= 1, got " + numClasses + " and " + lastChannel);
        }
        this.name = name;
        List<Module> layers = new ArrayList<>();
        layers.add(
                MobileNetBlocks.convNormActivation(3, setting.get(0).inputChannels(), 3, 2, 1, NORM, Hardswish::new));
        for (BlockConfig cnf : setting) {
            layers.add(new InvertedResidual(cnf));
        }
        int lastconvIn = setting.get(setting.size() - 1).outChannels();
        int lastconvOut = 6 * lastconvIn;
        layers.add(MobileNetBlocks.convNormActivation(lastconvIn, lastconvOut, 1, 1, 1, NORM, Hardswish::new));
        registerModule("features", new Sequential(layers.toArray(Module[]::new)));
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule(
                "classifier",
                new Sequential(
                        new Linear(lastconvOut, lastChannel),
                        new Hardswish(),
                        new Dropout(dropout),
                        new Linear(lastChannel, numClasses)));
        MobileNetBlocks.initWeights(this, l -> {
            Init.normal(l.weight(), 0, 0.01);
            Init.zeros(l.bias());
        });
    }

    @Override
    public Tensor forward(Tensor x) {
        MobileNetBlocks.checkInput(name, this, "features.0.0", x);
        Tensor y = child("features").call(x); // (N, C, H/32, W/32)
        y = child("avgpool").call(y).flatten(1); // (N, C)
        return child("classifier").call(y); // (N, numClasses)
    }

    /**
     * torchvision's mobilenetv3.InvertedResidual: child "block", a Sequential of [Conv2dNormActivation
     * 1x1 expansion, when expanded != input], Conv2dNormActivation depthwise (kernel, stride), [SqueezeExcitation
     * (expanded, make_divisible(expanded / 4, 8)) with ReLU and Hardsigmoid, when useSe], Conv2dNormActivation
     * 1x1 projection without activation. Activations Hardswish or ReLU. Adds the input back when stride is 1
     * and input == output channels.
     */
    public static final class InvertedResidual extends Module {
        private final boolean useResConnect;

        public InvertedResidual(BlockConfig cnf) {
            useResConnect = cnf.stride() == 1 && cnf.inputChannels() == cnf.outChannels();
            Supplier<Module> activation = cnf.useHardswish() ? Hardswish::new : ReLU::new;
            int exp = cnf.expandedChannels();
            Sequential block = new Sequential();
            if (exp != cnf.inputChannels()) {
                block.add(MobileNetBlocks.convNormActivation(cnf.inputChannels(), exp, 1, 1, 1, NORM, activation));
            }
            block.add(MobileNetBlocks.convNormActivation(exp, exp, cnf.kernel(), cnf.stride(), exp, NORM, activation));
            if (cnf.useSe()) {
                int squeeze = MobileNetBlocks.makeDivisible(exp / 4, 8);
                block.add(new SqueezeExcitation(exp, squeeze, new ReLU(), new Hardsigmoid()));
            }
            block.add(MobileNetBlocks.convNormActivation(exp, cnf.outChannels(), 1, 1, 1, NORM, null));
            registerModule("block", block);
        }

        /** Whether the block adds its input to its output (stride 1, same channels). */
        public boolean usesResidual() {
            return useResConnect;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = child("block").call(x);
            return useResConnect ? y.add(x) : y;
        }
    }
}
