package dev.torchlet.vision.models;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.GELU;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.LayerNorm;
import dev.torchlet.nn.LayerNorm2d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.StochasticDepth;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * ConvNeXt (Liu et al., 2022, "A ConvNet for the 2020s"), as torchvision's {@code ConvNeXt}
 * (convnext.py): same module names, state-dict keys and order, and default initialization.
 * ConvNeXt-Tiny (stages 96, 192, 384, 768 with 3, 3, 9, 3 blocks):
 *
 * <pre>
 *   x (N, 3, H, W)
 *   features.0   stem: 0 Conv2d(3, 96, k=4, s=4), 1 LayerNorm2d(96)          (N, 96, H/4, W/4)
 *   features.1   3 CNBlock(96)                                              (N, 96, H/4, W/4)
 *   features.2   downsampling: 0 LayerNorm2d(96), 1 Conv2d(96, 192, k=2, s=2) (N, 192, H/8, W/8)
 *   features.3   3 CNBlock(192);  features.4 downsampling to 384             (N, 384, H/16, W/16)
 *   features.5   9 CNBlock(384);  features.6 downsampling to 768             (N, 768, H/32, W/32)
 *   features.7   3 CNBlock(768)                                             (N, 768, H/32, W/32)
 *   avgpool      AdaptiveAvgPool2d(1)                                       (N, 768, 1, 1)
 *   classifier   0 LayerNorm2d(768), 1 Flatten, 2 Linear(768, numClasses)   (N, numClasses)
 * </pre>
 *
 * <p>A {@link CNBlock} on (N, C, H, W): {@code x + stochastic_depth(layer_scale * block(x))} with
 * block = 0 depthwise Conv2d(C, C, k=7, p=3), 1 Permute to (N, H, W, C), 2 LayerNorm(C), 3 Linear(C, 4C),
 * 4 GELU, 5 Linear(4C, C), 6 Permute back. Stochastic depth (identity in eval) grows linearly with
 * the block index from 0 to {@code stochasticDepthProb} (0.1 for convnext_tiny) at the last block.
 * All LayerNorms have eps 1e-6.
 *
 * <p>Initialization (torchvision's): every Conv2d and Linear weight truncated normal with std 0.02
 * (cut at +-2), biases 0; layer_scale 1e-6; LayerNorms 1 and 0.
 */
public final class ConvNeXt extends Module {
    /** torchvision's ConvNeXt models by function name (numClasses -> model). */
    public static final Map<String, IntFunction<Module>> MODELS = models();

    private final String name;
    private final Options options;

    /**
     * One stage, as torchvision's {@code CNBlockConfig}.
     *
     * @param inputChannels width C of the stage's blocks
     * @param outChannels   width after the downsampling layer that follows, 0 for none (the last stage)
     * @param numLayers     blocks in the stage
     */
    public record StageConfig(int inputChannels, int outChannels, int numLayers) {
        public StageConfig {
            if (inputChannels < 1 || outChannels < 0 || numLayers < 1) {
                throw new IllegalArgumentException("ConvNeXt: a stage needs inputChannels >= 1, outChannels >= 0 "
                        + "(0: no downsampling) and numLayers >= 1, got " + inputChannels + ", " + outChannels + ", "
                        + numLayers);
            }
        }
    }

    /**
     * torchvision's {@code ConvNeXt(block_setting, stochastic_depth_prob, layer_scale, num_classes)}.
     *
     * @param blockSetting        the stages; each stage's outChannels must equal the next one's inputChannels
     * @param stochasticDepthProb drop probability of the last block (linearly less before it), in [0, 1]
     * @param layerScale          initial value of each block's layer_scale (1e-6)
     * @param numClasses          outputs of the classifier
     */
    public record Options(
            List<StageConfig> blockSetting, double stochasticDepthProb, double layerScale, int numClasses) {
        public Options {
            blockSetting = List.copyOf(blockSetting);
            if (blockSetting.isEmpty()) {
                throw new IllegalArgumentException("ConvNeXt: the block setting should not be empty");
            }
            for (int i = 0; i + 1 < blockSetting.size(); i++) {
                if (blockSetting.get(i).outChannels() != blockSetting.get(i + 1).inputChannels()) {
                    throw new IllegalArgumentException("ConvNeXt: stage " + i + " ends with "
                            + blockSetting.get(i).outChannels() + " channels but stage " + (i + 1) + " takes "
                            + blockSetting.get(i + 1).inputChannels());
                }
            }
            if (!(stochasticDepthProb >= 0 && stochasticDepthProb <= 1) || numClasses < 1) {
                throw new IllegalArgumentException("ConvNeXt: stochasticDepthProb must be in [0, 1] and numClasses "
                        + "at least 1, got " + stochasticDepthProb + " and " + numClasses);
            }
        }

        public Options withNumClasses(int n) {
            return new Options(blockSetting, stochasticDepthProb, layerScale, n);
        }

        public Options withStochasticDepthProb(double p) {
            return new Options(blockSetting, p, layerScale, numClasses);
        }
    }

    /** A model with torchvision's default initialization (error messages name it "ConvNeXt"). */
    public ConvNeXt(Options options) {
        this("ConvNeXt", options);
    }

    /** @param name the model's name in error messages, e.g. "convnext_tiny" */
    public ConvNeXt(String name, Options options) {
        this.name = name;
        this.options = options;
        List<StageConfig> stages = options.blockSetting();
        int first = stages.get(0).inputChannels();
        Sequential features = registerModule("features", new Sequential());
        // stem: torchvision's Conv2dNormActivation(3, C, 4, stride 4, padding 0, LayerNorm2d, no activation, bias)
        features.add(
                new Sequential(new Conv2d(Conv2dOptions.of(3, first, 4).withStride(4)), new LayerNorm2d(first, 1e-6)));
        int totalBlocks = stages.stream().mapToInt(StageConfig::numLayers).sum();
        int blockId = 0;
        for (StageConfig cnf : stages) {
            Sequential stage = new Sequential();
            for (int i = 0; i < cnf.numLayers(); i++) {
                double sdProb = totalBlocks > 1 ? options.stochasticDepthProb() * blockId / (totalBlocks - 1.0) : 0;
                stage.add(new CNBlock(cnf.inputChannels(), options.layerScale(), sdProb));
                blockId++;
            }
            features.add(stage);
            if (cnf.outChannels() > 0) {
                features.add(new Sequential(
                        new LayerNorm2d(cnf.inputChannels(), 1e-6),
                        new Conv2d(Conv2dOptions.of(cnf.inputChannels(), cnf.outChannels(), 2)
                                .withStride(2))));
            }
        }
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        StageConfig last = stages.get(stages.size() - 1);
        int lastChannels = last.outChannels() > 0 ? last.outChannels() : last.inputChannels();
        registerModule(
                "classifier",
                new Sequential(
                        new LayerNorm2d(lastChannels, 1e-6),
                        new Flatten(),
                        new Linear(lastChannels, options.numClasses())));

        for (Module m : modules()) {
            if (m instanceof Conv2d conv) {
                initWeight(conv.weight(), conv.bias());
            } else if (m instanceof Linear fc) {
                initWeight(fc.weight(), fc.bias());
            }
        }
    }

    private static void initWeight(Tensor weight, Tensor bias) {
        Init.truncNormal(weight, 0, 0.02, -2, 2);
        if (bias != null) {
            Init.zeros(bias);
        }
    }

    public Options options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(name + ": expected input (N, 3, H, W), got " + Shape.str(x.shape()));
        }
        if (getSubmodule("features.0.0") instanceof Conv2d stem
                && x.size(1) != stem.options().inChannels()) {
            throw new IllegalArgumentException(name + ": features.0.0 (stem Conv2d) expects "
                    + stem.options().inChannels() + " input channels, got input " + Shape.str(x.shape()));
        }
        Tensor y = child("features").call(x); // (N, C, H/32, W/32)
        y = child("avgpool").call(y); // (N, C, 1, 1)
        return child("classifier").call(y); // (N, numClasses)
    }

    @Override
    protected String extraRepr() {
        return name;
    }

    // ---------------------------------------------------------------- torchvision's models

    private static Map<String, IntFunction<Module>> models() {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("convnext_tiny", ConvNeXt::convnextTiny);
        return Collections.unmodifiableMap(m);
    }

    /** ConvNeXt-Tiny: stages 96, 192, 384, 768 with 3, 3, 9, 3 blocks, stochastic depth 0.1 (28.6M parameters). */
    public static ConvNeXt convnextTiny(int numClasses) {
        List<StageConfig> setting = List.of(
                new StageConfig(96, 192, 3),
                new StageConfig(192, 384, 3),
                new StageConfig(384, 768, 9),
                new StageConfig(768, 0, 3));
        return new ConvNeXt("convnext_tiny", new Options(setting, 0.1, 1e-6, numClasses));
    }

    // ---------------------------------------------------------------- blocks

    /**
     * torchvision's {@code CNBlock}: {@code input + stochastic_depth(layer_scale * block(input))}.
     * State: {@code layer_scale} (C, 1, 1), then {@code block.0} (depthwise 7x7 conv), {@code block.2}
     * (LayerNorm), {@code block.3}, {@code block.5} (Linear); {@code stochastic_depth} has none.
     */
    public static final class CNBlock extends Module {
        CNBlock(int dim, double layerScale, double stochasticDepthProb) {
            registerParameter("layer_scale", Torch.full((float) layerScale, dim, 1, 1));
            registerModule(
                    "block",
                    new Sequential(
                            new Conv2d(
                                    Conv2dOptions.of(dim, dim, 7).withPadding(3).withGroups(dim)),
                            new Permute(0, 2, 3, 1), // (N, H, W, C): LayerNorm and Linear act on channels
                            new LayerNorm(new int[] {dim}, 1e-6, true),
                            new Linear(dim, 4 * dim),
                            new GELU(),
                            new Linear(4 * dim, dim),
                            new Permute(0, 3, 1, 2))); // back to (N, C, H, W)
            registerModule("stochastic_depth", new StochasticDepth(stochasticDepthProb, "row"));
        }

        @Override
        public Tensor forward(Tensor input) { // (N, C, H, W)
            Tensor result = parameter("layer_scale").mul(child("block").call(input));
            result = child("stochastic_depth").call(result);
            return result.add(input);
        }
    }

    /** torchvision's {@code Permute} (ops.misc): a view with the dimensions reordered. */
    public static final class Permute extends Module {
        private final int[] dims;

        public Permute(int... dims) {
            this.dims = dims.clone();
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.permute(dims);
        }

        @Override
        protected String extraRepr() {
            return "dims=" + Arrays.toString(dims);
        }
    }
}
