package dev.torchlet.vision.models;

import dev.torchlet.nn.Module;
import dev.torchlet.vision.features.FeatureBackbone;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The model zoo by torchvision's function names: {@code Models.create("resnet18", 1000)} builds
 * the same architecture, state-dict names and default initialization as
 * {@code torchvision.models.resnet18(num_classes=1000)}, so torchvision's weight files load into it.
 * Each architecture family (ResNet, VGG, ...) lists its models in a {@code MODELS} map of
 * name -> factory (numClasses -> model); this class collects them in one registry.
 */
public final class Models {
    private static final Map<String, IntFunction<Module>> REGISTRY = registry();

    private Models() {}

    private static Map<String, IntFunction<Module>> registry() {
        Map<String, IntFunction<Module>> all = new LinkedHashMap<>();
        for (Map<String, IntFunction<Module>> family : families()) {
            family.forEach((name, factory) -> {
                if (all.put(name, factory) != null) {
                    throw new IllegalStateException("Models: two families define '" + name + "'");
                }
            });
        }
        return Collections.unmodifiableMap(all);
    }

    /** One map per architecture family, in the order `torchlet models` lists them. */
    private static List<Map<String, IntFunction<Module>>> families() {
        List<Map<String, IntFunction<Module>>> families = new ArrayList<>();
        // families register here, one line each, in torchvision's order
        families.add(AlexNet.MODELS);
        families.add(VGG.MODELS);
        families.add(ResNet.MODELS);
        families.add(SqueezeNet.MODELS);
        families.add(DenseNet.MODELS);
        families.add(MobileNetV2.MODELS);
        families.add(MobileNetV3.MODELS);
        families.add(EfficientNet.MODELS);
        families.add(ConvNeXt.MODELS);
        families.add(VisionTransformer.MODELS);
        return families;
    }

    /**
     * A new model with torchvision's default (random) initialization.
     *
     * @param name       torchvision's function name, e.g. "resnet18", "vgg11_bn", "mobilenet_v2"
     * @param numClasses outputs of the classification head (1000 for ImageNet weights); 0 for a
     *                   headless model that returns its pooled features (see {@link Classifiers})
     */
    public static Module create(String name, int numClasses) {
        IntFunction<Module> factory = REGISTRY.get(name);
        if (factory == null) {
            throw new IllegalArgumentException(
                    "Models: unknown model '" + name + "'; known: " + String.join(", ", REGISTRY.keySet()));
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException(
                    "Models: numClasses must be at least 0, got " + numClasses + " (for " + name + ")");
        }
        if (numClasses == 0) { // headless: the model returns its pooled features
            return Classifiers.reset(factory.apply(1), name, 0);
        }
        return factory.apply(numClasses);
    }

    /**
     * A multi-scale backbone, as timm's {@code create_model(name, features_only=True, out_indices=...)}:
     * a headless model ({@code create(name, 0)}, torchvision's random initialization) whose stage outputs
     * {@link FeatureBackbone#extract} returns, with their channels and reductions. For resnet50 the stages
     * are relu, layer1..4 with channels [64, 256, 512, 1024, 2048] and reductions [2, 4, 8, 16, 32]; the
     * stages of every family are in {@link dev.torchlet.vision.features.FeatureStages}. To start from
     * pretrained weights, load them into {@code create(name, 1000)} and use {@link FeatureBackbone#of}.
     *
     * @param outIndices stage indices (negative: from the end); none: all stages
     * @throws IllegalArgumentException for a model without multi-scale stages (the ViTs, AlexNet,
     *     SqueezeNet), an unknown name or bad indices
     */
    public static FeatureBackbone createFeatures(String name, int... outIndices) {
        return FeatureBackbone.of(create(name, 0), outIndices);
    }

    /** The zoo's model names, by family. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }
}
