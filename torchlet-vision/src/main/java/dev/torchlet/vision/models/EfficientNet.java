package dev.torchlet.vision.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.BatchNormOptions;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.SiLU;
import dev.torchlet.nn.Sigmoid;
import dev.torchlet.nn.SqueezeExcitation;
import dev.torchlet.nn.StochasticDepth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * EfficientNet (Tan and Le, 2019), as torchvision.models.efficientnet_b0: MBConv blocks (1x1 expansion,
 * depthwise conv, squeeze-excitation, 1x1 projection, SiLU) with stochastic depth on the residual
 * branches. For B0 at 224x224:
 * <pre>
 *   features.0     Conv2dNormActivation 3 -&gt; 32, 3x3 stride 2, SiLU              (N, 32, 112, 112)
 *   features.1..7  stages of MBConv, (expand, kernel, stride, in, out, layers):    (N, 320, 7, 7)
 *                  (1, 3, 1, 32, 16, 1) (6, 3, 2, 16, 24, 2) (6, 5, 2, 24, 40, 2) (6, 3, 2, 40, 80, 3)
 *                  (6, 5, 1, 80, 112, 3) (6, 5, 2, 112, 192, 4) (6, 3, 1, 192, 320, 1)
 *   features.8     Conv2dNormActivation 320 -&gt; 1280, 1x1, SiLU                  (N, 1280, 7, 7)
 *   avgpool        AdaptiveAvgPool2d(1), then flatten                             (N, 1280)
 *   classifier     0 Dropout(0.2), 1 Linear(1280, numClasses)
 * </pre>
 * Stage s is a Sequential of its blocks, so names read {@code features.2.1.block.2.fc1.weight}. Block k
 * of all 16 (counted from 0 over the stages) has stochastic depth probability 0.2 * k / 16, as
 * torchvision computes it; it only acts on blocks with a residual (stride 1, same channels), in
 * training. Init as torchvision: convs kaiming normal (fan_out), BatchNorm 1/0, Linear
 * U(-1/sqrt(numClasses), 1/sqrt(numClasses)) with zero bias.
 */
public final class EfficientNet extends Module {
    /** The zoo's EfficientNet models by torchvision's name. */
    public static final Map<String, IntFunction<Module>> MODELS;

    static {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("efficientnet_b0", EfficientNet::efficientnetB0);
        MODELS = Collections.unmodifiableMap(m);
    }

    /**
     * One stage of torchvision's MBConvConfig (channels and depth already scaled to the model).
     *
     * @param expandRatio    channel expansion of the 1x1 conv (1 = no expansion conv)
     * @param kernel         depthwise kernel size
     * @param stride         stride of the stage's first block (1 or 2); the others use 1
     * @param inputChannels  input channels of the stage's first block
     * @param outChannels    output channels of every block of the stage
     * @param numLayers      blocks in the stage
     */
    public record StageConfig(
            double expandRatio, int kernel, int stride, int inputChannels, int outChannels, int numLayers) {
        public StageConfig {
            if (stride != 1 && stride != 2) {
                throw new IllegalArgumentException("EfficientNet: illegal stride value " + stride);
            }
            if (!(expandRatio >= 1) || kernel < 1 || inputChannels < 1 || outChannels < 1 || numLayers < 1) {
                throw new IllegalArgumentException("EfficientNet: bad stage config: expand " + expandRatio
                        + ", kernel " + kernel + ", in " + inputChannels + ", out " + outChannels + ", layers "
                        + numLayers);
            }
        }
    }

    /**
     * Settings of one MBConv block.
     *
     * @param expandRatio         channel expansion
     * @param kernel              depthwise kernel
     * @param stride              depthwise stride
     * @param inputChannels       input channels
     * @param outChannels         output channels
     * @param stochasticDepthProb drop probability of the residual branch
     */
    public record BlockConfig(
            double expandRatio,
            int kernel,
            int stride,
            int inputChannels,
            int outChannels,
            double stochasticDepthProb) {}

    private static final List<StageConfig> B0 = List.of(
            new StageConfig(1, 3, 1, 32, 16, 1),
            new StageConfig(6, 3, 2, 16, 24, 2),
            new StageConfig(6, 5, 2, 24, 40, 2),
            new StageConfig(6, 3, 2, 40, 80, 3),
            new StageConfig(6, 5, 1, 80, 112, 3),
            new StageConfig(6, 5, 2, 112, 192, 4),
            new StageConfig(6, 3, 1, 192, 320, 1));

    private final String name;

    /** torchvision.models.efficientnet_b0(num_classes=numClasses): dropout 0.2, stochastic depth 0.2. */
    public static EfficientNet efficientnetB0(int numClasses) {
        return new EfficientNet("efficientnet_b0", B0, 0.2, 0.2, numClasses, BatchNormOptions.of(1));
    }

    /**
     * @param name                name in error messages ("efficientnet_b0")
     * @param setting             the stages, in order (non-empty)
     * @param dropout             dropout before the classifier's Linear
     * @param stochasticDepthProb the largest stochastic depth probability (reached towards the last block)
     * @param numClasses          outputs, &gt;= 1
     * @param norm                BatchNorm settings (numFeatures is replaced per layer)
     */
    public EfficientNet(
            String name,
            List<StageConfig> setting,
            double dropout,
            double stochasticDepthProb,
            int numClasses,
            BatchNormOptions norm) {
        if (setting == null || setting.isEmpty()) {
            throw new IllegalArgumentException("EfficientNet: the inverted residual setting should not be empty");
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("EfficientNet: numClasses must be >= 1, got " + numClasses);
        }
        this.name = name;
        List<Module> layers = new ArrayList<>();
        layers.add(MobileNetBlocks.convNormActivation(3, setting.get(0).inputChannels(), 3, 2, 1, norm, SiLU::new));
        int totalBlocks = 0;
        for (StageConfig s : setting) {
            totalBlocks += s.numLayers();
        }
        int blockId = 0;
        for (StageConfig s : setting) {
            Sequential stage = new Sequential();
            for (int i = 0; i < s.numLayers(); i++) {
                // the first block of a stage changes channels and stride; the others keep them
                double sdProb = stochasticDepthProb * (double) blockId / totalBlocks;
                stage.add(new MBConv(
                        new BlockConfig(
                                s.expandRatio(),
                                s.kernel(),
                                i == 0 ? s.stride() : 1,
                                i == 0 ? s.inputChannels() : s.outChannels(),
                                s.outChannels(),
                                sdProb),
                        norm));
                blockId++;
            }
            layers.add(stage);
        }
        int lastconvIn = setting.get(setting.size() - 1).outChannels();
        int lastconvOut = 4 * lastconvIn;
        layers.add(MobileNetBlocks.convNormActivation(lastconvIn, lastconvOut, 1, 1, 1, norm, SiLU::new));
        registerModule("features", new Sequential(layers.toArray(Module[]::new)));
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("classifier", new Sequential(new Dropout(dropout), new Linear(lastconvOut, numClasses)));
        MobileNetBlocks.initWeights(this, l -> {
            double range = 1.0 / Math.sqrt(l.outFeatures());
            Init.uniform(l.weight(), -range, range);
            Init.zeros(l.bias());
        });
    }

    @Override
    public Tensor forward(Tensor x) {
        MobileNetBlocks.checkInput(name, this, "features.0.0", x);
        Tensor y = child("features").call(x); // (N, 1280, H/32, W/32)
        y = child("avgpool").call(y).flatten(1); // (N, 1280)
        return child("classifier").call(y); // (N, numClasses)
    }

    /**
     * torchvision's efficientnet.MBConv: child "block", a Sequential of [Conv2dNormActivation 1x1 expansion
     * to make_divisible(in * expand, 8) channels with SiLU, when that differs from in], Conv2dNormActivation
     * depthwise (kernel, stride) with SiLU, SqueezeExcitation(expanded, max(1, in / 4)) with SiLU and Sigmoid,
     * Conv2dNormActivation 1x1 projection without activation; then child "stochastic_depth" (mode "row").
     * With a residual (stride 1, in == out): out = stochastic_depth(block(x)) + x.
     */
    public static final class MBConv extends Module {
        private final boolean useResConnect;

        public MBConv(BlockConfig cnf, BatchNormOptions norm) {
            useResConnect = cnf.stride() == 1 && cnf.inputChannels() == cnf.outChannels();
            int in = cnf.inputChannels();
            int expanded = MobileNetBlocks.makeDivisible(in * cnf.expandRatio(), 8);
            Sequential block = new Sequential();
            if (expanded != in) {
                block.add(MobileNetBlocks.convNormActivation(in, expanded, 1, 1, 1, norm, SiLU::new)); // expand
            }
            block.add(MobileNetBlocks.convNormActivation(
                    expanded, expanded, cnf.kernel(), cnf.stride(), expanded, norm, SiLU::new)); // depthwise
            block.add(new SqueezeExcitation(expanded, Math.max(1, in / 4), new SiLU(), new Sigmoid()));
            block.add(MobileNetBlocks.convNormActivation(expanded, cnf.outChannels(), 1, 1, 1, norm, null));
            registerModule("block", block);
            registerModule("stochastic_depth", new StochasticDepth(cnf.stochasticDepthProb(), "row"));
        }

        /** Whether the block adds its input to its output (stride 1, same channels). */
        public boolean usesResidual() {
            return useResConnect;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = child("block").call(x);
            if (useResConnect) {
                y = child("stochastic_depth").call(y).add(x);
            }
            return y;
        }
    }
}
