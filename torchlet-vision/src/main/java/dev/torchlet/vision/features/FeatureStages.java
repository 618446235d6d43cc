package dev.torchlet.vision.features;

import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.models.ConvNeXt;
import dev.torchlet.vision.models.DenseNet;
import dev.torchlet.vision.models.EfficientNet;
import dev.torchlet.vision.models.MobileNetV2;
import dev.torchlet.vision.models.MobileNetV3;
import dev.torchlet.vision.models.ResNet;
import dev.torchlet.vision.models.VGG;
import dev.torchlet.vision.models.VisionTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The multi-scale stages of the zoo's convolutional families, by timm's {@code feature_info}
 * conventions: the module paths whose outputs are a backbone's feature maps, from the highest
 * resolution to the lowest. For a 224x224 input:
 *
 * <pre>
 *   family                        stage outputs                                         reductions
 *   ResNet, ResNeXt, Wide ResNet  relu (the stem), layer1, layer2, layer3, layer4        2, 4, 8, 16, 32
 *                                 (resnet50: 64, 256, 512, 1024, 2048 channels; resnet18: 64, 64, 128, 256, 512)
 *   VGG                           the ReLU before each max pool, then the last pool     1, 2, 4, 8, 16, 32
 *   MobileNetV2, EfficientNet     the last block before each stride-2 block, then the   2, 4, 8, 16, 32
 *                                 last block (not the final 1x1 conv to 1280)
 *   MobileNetV3                   as MobileNetV2, but the last stage is the final 1x1    2, 4, 8, 16, 32
 *                                 conv (960 / 576), and the stem counts when the first
 *                                 block has stride 2 (small)
 *   DenseNet                      features.relu0, denseblock1..3, norm5                 2, 4, 8, 16, 32
 *   ConvNeXt                      features.1, 3, 5, 7 (the stages of CNBlocks)          4, 8, 16, 32
 * </pre>
 *
 * <p>One difference from timm: timm's DenseNet {@code norm5} includes the final ReLU, while torchvision
 * (and Torchlet) apply it functionally after {@code features}, so the last DenseNet map here is before
 * that ReLU. AlexNet, SqueezeNet and the ViTs have no such stages and are refused with a message; pass
 * module paths of your own to {@link FeatureBackbone#of(Module, List, int...)} instead.
 */
public final class FeatureStages {
    private FeatureStages() {}

    /**
     * The stage output paths of a zoo model, highest resolution first.
     *
     * @throws IllegalArgumentException for a model without multi-scale stages (ViT, AlexNet, SqueezeNet,
     *     any other module), naming it
     */
    public static List<String> of(Module model) {
        return find(model).orElseThrow(() -> {
            String type = model.getClass().getSimpleName();
            if (model instanceof VisionTransformer vit) {
                return new IllegalArgumentException("FeatureStages: " + type + " has no multi-scale stages (every "
                        + "encoder layer keeps one token grid at 1/"
                        + vit.options().patchSize() + " of the image); "
                        + "take encoder layers by path with FeatureExtractor instead");
            }
            return new IllegalArgumentException("FeatureStages: no multi-scale stages known for " + type
                    + " (known: ResNet/ResNeXt/Wide ResNet, VGG, MobileNetV2/V3, EfficientNet, DenseNet, ConvNeXt); "
                    + "give the stage module paths to FeatureBackbone.of(model, paths, outIndices)");
        });
    }

    /** The stage output paths of a zoo model of a known family, highest resolution first; empty for others. */
    public static Optional<List<String>> find(Module model) {
        if (model instanceof ResNet) {
            return Optional.of(List.of("relu", "layer1", "layer2", "layer3", "layer4"));
        }
        if (model instanceof VGG) {
            return Optional.of(beforeEachMaxPool(model.child("features")));
        }
        if (model instanceof MobileNetV2 || model instanceof EfficientNet) {
            int size = model.child("features").namedChildren().size();
            // the last, 1x1 conv to 1280 is no stage
            return Optional.of(beforeEachStride2(model.child("features"), size - 2));
        }
        if (model instanceof MobileNetV3) {
            int size = model.child("features").namedChildren().size();
            return Optional.of(beforeEachStride2(model.child("features"), size - 1));
        }
        if (model instanceof DenseNet) {
            return Optional.of(denseNet(model.child("features")));
        }
        if (model instanceof ConvNeXt) {
            return Optional.of(convNeXt(model.child("features")));
        }
        return Optional.empty();
    }

    /** VGG (timm): the layer before each MaxPool2d, then the last layer (the last pool). */
    private static List<String> beforeEachMaxPool(Module features) {
        List<String> names = List.copyOf(features.namedChildren().keySet());
        List<String> out = new ArrayList<>();
        for (int i = 1; i < names.size(); i++) {
            if (features.child(names.get(i)) instanceof MaxPool2d) {
                out.add("features." + names.get(i - 1));
            }
        }
        out.add("features." + names.get(names.size() - 1));
        return out;
    }

    /**
     * MobileNets and EfficientNet (timm's EfficientNetBuilder): block i is a stage output when block i + 1
     * downsamples (a convolution with stride 2), and the block at lastBlock ends the last stage.
     */
    private static List<String> beforeEachStride2(Module features, int lastBlock) {
        List<String> names = List.copyOf(features.namedChildren().keySet());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lastBlock; i++) {
            if (stride(features.child(names.get(i + 1))) > 1) {
                out.add("features." + names.get(i));
            }
        }
        out.add("features." + names.get(lastBlock));
        return out;
    }

    /** The largest convolution stride inside a block. */
    private static int stride(Module block) {
        int s = 1;
        for (Module m : block.modules()) {
            if (m instanceof Conv2d conv) {
                for (int v : conv.options().stride()) {
                    s = Math.max(s, v);
                }
            }
        }
        return s;
    }

    /** DenseNet (timm): the stem's activation, every dense block but the last, then norm5. */
    private static List<String> denseNet(Module features) {
        List<String> out = new ArrayList<>();
        out.add("features.relu0");
        Map<String, Module> children = features.namedChildren();
        List<String> blocks = children.keySet().stream()
                .filter(n -> n.startsWith("denseblock"))
                .toList();
        for (int i = 0; i + 1 < blocks.size(); i++) {
            out.add("features." + blocks.get(i));
        }
        out.add("features.norm5");
        return out;
    }

    /** ConvNeXt: the children of features that are stages of CNBlocks (not the stem or downsampling layers). */
    private static List<String> convNeXt(Module features) {
        List<String> out = new ArrayList<>();
        features.namedChildren().forEach((name, child) -> {
            if (!child.children().isEmpty() && child.children().get(0) instanceof ConvNeXt.CNBlock) {
                out.add("features." + name);
            }
        });
        return out;
    }
}
