package dev.torchlet.vision.models;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.AvgPool2d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.functional.F;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DenseNet-BC (Huang et al. 2017, "Densely Connected Convolutional Networks"), as torchvision's
 * {@code DenseNet}: same module names, state-dict keys (torchvision's current ones,
 * {@code features.denseblock1.denselayer1.norm1.weight}) and default initialization. torchvision's
 * weight files ({@code densenet121-a639ec97.pth}, ...) still have the old-style keys
 * ({@code denselayer1.norm.1.weight}) and no {@code num_batches_tracked}: load them with
 * {@link #loadTorchvisionStateDict}, which adapts them as torchvision's {@code _load_state_dict} does.
 *
 * <pre>
 * features                       (N, 3, H, W) -> (N, C, H/32, W/32)
 *   conv0  Conv2d(3, init, 7, stride 2, padding 3, no bias)   norm0 BatchNorm2d   relu0 ReLU
 *   pool0  MaxPool2d(3, stride 2, padding 1)                  (N, init, H/4, W/4)
 *   denseblock1..4  L_i DenseLayers; layer j gets all previous outputs concatenated
 *                   (c + (j - 1) * growth channels) and adds growth channels
 *   transition1..3  BatchNorm2d, ReLU, Conv2d(c, c/2, 1, no bias), AvgPool2d(2)   halves c, H and W
 *   norm5  BatchNorm2d(C)
 * relu, adaptive average pool to 1x1, flatten    (N, C)
 * classifier  Linear(C, numClasses)              (N, numClasses)
 * </pre>
 *
 * <p>{@code densenet121}: growth 32, blocks (6, 12, 24, 16), 64 initial features, C = 1024;
 * {@code densenet161}: 48, (6, 12, 36, 24), 96, C = 2208; {@code densenet169}: 32, (6, 12, 32, 32),
 * 64, C = 1664; {@code densenet201}: 32, (6, 12, 48, 32), 64, C = 1920. All use bottleneck size 4
 * (the 1x1 conv of a dense layer makes 4 * growth channels) and no dropout.
 *
 * <p>Initialization (torchvision's): conv weights ~ kaiming_normal_ (a = 0, fan_in: N(0, 2 /
 * fan_in)); batch norm weight 1, bias 0; classifier bias 0, its weight keeps Linear's default
 * U(-1/sqrt(C), 1/sqrt(C)). torchvision's {@code memory_efficient} (gradient checkpointing) option
 * changes no result and is not offered.
 */
public class DenseNet extends Module {
    /** torchvision's DenseNet models by function name: numClasses -> model. */
    public static final Map<String, IntFunction<Module>> MODELS = models();

    /**
     * The settings of a DenseNet, torchvision's constructor arguments.
     *
     * @param name            the model's name in messages ("densenet121")
     * @param growthRate      channels each dense layer adds (k in the paper)
     * @param blockConfig     number of layers in each dense block (a transition follows every block but the last)
     * @param numInitFeatures output channels of conv0
     * @param bnSize          the bottleneck 1x1 conv makes bnSize * growthRate channels
     * @param dropRate        dropout after each dense layer (0: none)
     * @param numClasses      outputs of the classifier
     */
    public record Options(
            String name,
            int growthRate,
            List<Integer> blockConfig,
            int numInitFeatures,
            int bnSize,
            double dropRate,
            int numClasses) {
        public Options {
            blockConfig = List.copyOf(blockConfig);
            if (growthRate < 1 || numInitFeatures < 1 || bnSize < 1 || numClasses < 1) {
                throw new IllegalArgumentException("DenseNet: growthRate, numInitFeatures, bnSize and numClasses must "
                        + "be at least 1, got " + growthRate + ", " + numInitFeatures + ", " + bnSize + ", "
                        + numClasses);
            }
            if (blockConfig.isEmpty() || blockConfig.stream().anyMatch(n -> n < 1)) {
                throw new IllegalArgumentException(
                        "DenseNet: blockConfig needs one or more positive layer counts, got " + blockConfig);
            }
            if (!(dropRate >= 0 && dropRate < 1)) {
                throw new IllegalArgumentException("DenseNet: dropRate must be in [0, 1), got " + dropRate);
            }
        }

        /** torchvision's defaults for bnSize (4) and dropRate (0). */
        public static Options of(
                String name, int growthRate, List<Integer> blockConfig, int numInitFeatures, int numClasses) {
            return new Options(name, growthRate, blockConfig, numInitFeatures, 4, 0, numClasses);
        }
    }

    private final String name;

    /** A DenseNet with torchvision's default initialization. */
    public DenseNet(Options o) {
        this.name = o.name();
        Chain features = new Chain();
        features.add(
                "conv0",
                new Conv2d(Conv2dOptions.of(3, o.numInitFeatures(), 7)
                        .withStride(2)
                        .withPadding(3)
                        .withBias(false)));
        features.add("norm0", new BatchNorm2d(o.numInitFeatures()));
        features.add("relu0", new ReLU());
        features.add("pool0", new MaxPool2d(3, 2, 1, 1, false)); // (N, init, H/4, W/4)
        int channels = o.numInitFeatures();
        List<Integer> blocks = o.blockConfig();
        for (int i = 0; i < blocks.size(); i++) {
            int layers = blocks.get(i);
            features.add(
                    "denseblock" + (i + 1), new DenseBlock(layers, channels, o.bnSize(), o.growthRate(), o.dropRate()));
            channels += layers * o.growthRate();
            if (i != blocks.size() - 1) {
                features.add("transition" + (i + 1), new Transition(channels, channels / 2));
                channels /= 2;
            }
        }
        features.add("norm5", new BatchNorm2d(channels));
        registerModule("features", features);
        registerModule("classifier", new Linear(channels, o.numClasses()));

        // torchvision: conv kaiming_normal_ with its defaults, BN 1 / 0, classifier bias 0 (weight: Linear's default)
        for (Module m : modules()) {
            if (m instanceof Conv2d conv) {
                Init.kaimingNormal(conv.weight(), 0, Init.FanMode.FAN_IN, "leaky_relu");
            } else if (m instanceof BatchNorm2d bn) {
                Init.ones(bn.parameter("weight"));
                Init.zeros(bn.parameter("bias"));
            } else if (m instanceof Linear linear) {
                Init.zeros(linear.bias());
            }
        }
    }

    /** DenseNet-121: 1024 features before the classifier, 7,978,856 parameters at 1000 classes. */
    public static DenseNet densenet121(int numClasses) {
        return new DenseNet(Options.of("densenet121", 32, List.of(6, 12, 24, 16), 64, numClasses));
    }

    /** DenseNet-161: 2208 features before the classifier, 28,681,000 parameters at 1000 classes. */
    public static DenseNet densenet161(int numClasses) {
        return new DenseNet(Options.of("densenet161", 48, List.of(6, 12, 36, 24), 96, numClasses));
    }

    /** DenseNet-169: 1664 features before the classifier, 14,149,480 parameters at 1000 classes. */
    public static DenseNet densenet169(int numClasses) {
        return new DenseNet(Options.of("densenet169", 32, List.of(6, 12, 32, 32), 64, numClasses));
    }

    /** DenseNet-201: 1920 features before the classifier, 20,013,928 parameters at 1000 classes. */
    public static DenseNet densenet201(int numClasses) {
        return new DenseNet(Options.of("densenet201", 32, List.of(6, 12, 48, 32), 64, numClasses));
    }

    /** Old-style dense-layer keys of the original weight files: "denselayer1.norm.1.weight". */
    private static final Pattern LEGACY_KEY = Pattern.compile(
            "^(.*denselayer\\d+\\.(?:norm|relu|conv))\\.([12]\\.(?:weight|bias|running_mean|running_var))$");

    /**
     * Renames the old-style keys of torchvision's original DenseNet weight files
     * ({@code features.denseblock1.denselayer1.norm.1.weight}) to the current ones
     * ({@code ...denselayer1.norm1.weight}), as torchvision's {@code _load_state_dict} does before
     * loading; other keys, and the order, stay as they are. {@link #loadTorchvisionStateDict} does
     * this and the rest of what loading those files takes.
     */
    public static Map<String, Tensor> renameLegacyKeys(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            Matcher m = LEGACY_KEY.matcher(k);
            out.put(m.matches() ? m.group(1) + m.group(2) : k, v);
        });
        return out;
    }

    /**
     * Loads a torchvision DenseNet state dict, e.g. {@code PyTorchCheckpoint.read(densenet121-a639ec97.pth)},
     * as torchvision's {@code _load_state_dict} and PyTorch's batch norm do: old-style dense-layer keys
     * are renamed ({@link #renameLegacyKeys}), and {@code num_batches_tracked} buffers the file does not
     * have (files saved before PyTorch 0.4.1) load as 0. Everything else is a strict
     * {@link #loadStateDict(Map)}: missing, unexpected or mis-shaped keys fail, changing nothing.
     */
    public void loadTorchvisionStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> renamed = renameLegacyKeys(state);
        for (String key : stateDict().keySet()) {
            if (key.endsWith(".num_batches_tracked")) {
                renamed.putIfAbsent(key, Torch.zeros(DType.INT64));
            }
        }
        loadStateDict(renamed);
    }

    private static Map<String, IntFunction<Module>> models() {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("densenet121", DenseNet::densenet121);
        m.put("densenet161", DenseNet::densenet161);
        m.put("densenet169", DenseNet::densenet169);
        m.put("densenet201", DenseNet::densenet201);
        return Collections.unmodifiableMap(m);
    }

    /** (N, 3, H, W) images -> (N, numClasses) logits. */
    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        Tensor y = child("features").call(x); // (N, C, h, w), after norm5
        y = F.adaptiveAvgPool2d(F.relu(y), 1, 1).flatten(1); // (N, C)
        return child("classifier").call(y); // (N, numClasses)
    }

    /** Rank 4, and the channels conv0 expects (3, unless features.conv0 was replaced). */
    private void checkInput(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(
                    name + ": expected images (N, 3, H, W), got input of shape " + Shape.str(x.shape()));
        }
        Module stem = child("features").namedChildren().get("conv0");
        if (stem instanceof Conv2d conv && x.size(1) != conv.options().inChannels()) {
            throw new IllegalArgumentException(
                    name + ": input " + Shape.str(x.shape()) + " has " + x.size(1) + " channels, but features.conv0 ("
                            + conv + ") expects " + conv.options().inChannels());
        }
    }

    /** Runs named children in order, like torchvision's {@code nn.Sequential(OrderedDict(...))}. */
    public static class Chain extends Module {
        /** Appends a child under a name. */
        public Chain add(String childName, Module m) {
            registerModule(childName, m);
            return this;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = x;
            for (Module m : children()) {
                y = m.call(y);
            }
            return y;
        }
    }

    /**
     * One dense layer (torchvision's {@code _DenseLayer}), BN-ReLU-Conv twice:
     * (N, c, H, W), all previous features concatenated -> norm1, relu1, conv1 (1x1 to bnSize * growth)
     * -> norm2, relu2, conv2 (3x3, padding 1) -> (N, growth, H, W), the new features only.
     * (torchvision's layer takes the list of previous features and concatenates them itself; here
     * the block concatenates, which gives the same values.)
     */
    public static class DenseLayer extends Module {
        private final double dropRate;

        public DenseLayer(int numInputFeatures, int growthRate, int bnSize, double dropRate) {
            this.dropRate = dropRate;
            registerModule("norm1", new BatchNorm2d(numInputFeatures));
            registerModule("relu1", new ReLU());
            registerModule(
                    "conv1",
                    new Conv2d(Conv2dOptions.of(numInputFeatures, bnSize * growthRate, 1)
                            .withBias(false)));
            registerModule("norm2", new BatchNorm2d(bnSize * growthRate));
            registerModule("relu2", new ReLU());
            registerModule(
                    "conv2",
                    new Conv2d(Conv2dOptions.of(bnSize * growthRate, growthRate, 3)
                            .withPadding(1)
                            .withBias(false)));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = child("conv1").call(child("relu1").call(child("norm1").call(x))); // (N, bn*k, H, W)
            y = child("conv2").call(child("relu2").call(child("norm2").call(y))); // (N, k, H, W)
            return dropRate > 0 ? F.dropout(y, dropRate, isTraining()) : y;
        }
    }

    /**
     * A dense block (torchvision's {@code _DenseBlock}): children denselayer1..L; layer j sees the
     * block input and the outputs of layers 1..j-1 concatenated on channels.
     * (N, c, H, W) -> (N, c + L * growth, H, W).
     */
    public static class DenseBlock extends Module {
        public DenseBlock(int numLayers, int numInputFeatures, int bnSize, int growthRate, double dropRate) {
            for (int i = 0; i < numLayers; i++) {
                registerModule(
                        "denselayer" + (i + 1),
                        new DenseLayer(numInputFeatures + i * growthRate, growthRate, bnSize, dropRate));
            }
        }

        @Override
        public Tensor forward(Tensor x) {
            List<Tensor> features = new ArrayList<>();
            features.add(x);
            for (Module layer : children()) {
                features.add(layer.call(features.size() == 1 ? x : Torch.cat(features, 1)));
            }
            return Torch.cat(features, 1);
        }
    }

    /**
     * A transition between dense blocks (torchvision's {@code _Transition}): norm, relu, conv (1x1,
     * no bias), pool (AvgPool2d(2)). (N, in, H, W) -> (N, out, H/2, W/2).
     */
    public static class Transition extends Chain {
        public Transition(int numInputFeatures, int numOutputFeatures) {
            add("norm", new BatchNorm2d(numInputFeatures));
            add("relu", new ReLU());
            add(
                    "conv",
                    new Conv2d(Conv2dOptions.of(numInputFeatures, numOutputFeatures, 1)
                            .withBias(false)));
            add("pool", new AvgPool2d(2));
        }
    }
}
