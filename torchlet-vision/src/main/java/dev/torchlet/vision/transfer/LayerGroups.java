package dev.torchlet.vision.transfer;

import dev.torchlet.nn.Module;
import dev.torchlet.vision.features.FeatureStages;
import dev.torchlet.vision.models.Classifiers;
import dev.torchlet.vision.models.VisionTransformer;
import dev.torchlet.vision.transfer.GradualUnfreezing.Group;
import java.util.ArrayList;
import java.util.List;

/**
 * The default layer groups of the zoo models for {@link GradualUnfreezing}, from the head backwards:
 * the head ({@link Classifiers#headPath}), then the layers between the last stage and the head that
 * have parameters (the "neck", e.g. VGG's first two classifier Linears, MobileNetV2's last 1x1 conv),
 * then one group per feature stage ({@link FeatureStages}) from the last to the first, each stage
 * holding the layers after the previous stage's output up to its own. Layers without parameters are
 * left out, and so are empty groups. Every parameter of the model is in exactly one group.
 *
 * <pre>
 *   resnet18       fc | layer4 | layer3 | layer2 | layer1 | conv1,bn1
 *   mobilenet_v2   classifier.1 | features.18 | features.14-17 | features.7-13 | features.4-6 | features.2-3
 *                  | features.0-1
 *   vgg11          classifier.6 | classifier.0,classifier.3 | features.15-19 | features.10-14 | features.5-9
 *                  | features.3 | features.0
 *   densenet121    classifier | features.transition3,features.denseblock4,features.norm5 | ... | features.conv0,
 *                  features.norm0
 *   convnext_tiny  classifier.2 | classifier.0 | features.6-7 | features.4-5 | features.2-3 | features.0-1
 *   alexnet, squeezenet: head | neck | each convolution / fire module of features, last first
 *   vit_b_16       heads.head | encoder.ln | encoder.layers.encoder_layer_11 | ... | encoder_layer_0
 *                  | conv_proj,class_token,encoder.pos_embedding
 * </pre>
 */
public final class LayerGroups {
    private LayerGroups() {}

    /** The default groups of zoo model {@code name} (built by {@code Models.create(name, ...)}), head first. */
    public static List<Group> forZooModel(Module model, String name) {
        String head = Classifiers.headPath(name);
        if (model instanceof VisionTransformer vit) {
            return visionTransformer(vit, head);
        }
        List<String> stages = FeatureStages.find(model).orElse(null);
        if (stages == null) {
            if (!model.namedChildren().containsKey("features")) {
                throw new IllegalArgumentException("LayerGroups: no default layer groups for "
                        + model.getClass().getSimpleName() + "; give GradualUnfreezing the groups");
            }
            stages = new ArrayList<>(); // AlexNet, SqueezeNet: every layer of features with parameters
            for (var e : model.child("features").namedChildren().entrySet()) {
                if (!e.getValue().parameters().isEmpty()) {
                    stages.add("features." + e.getKey());
                }
            }
        }
        return fromStages(model, head, stages);
    }

    /** head | neck | stages from the last, as described above; stage paths are siblings under one parent. */
    static List<Group> fromStages(Module model, String head, List<String> stagePaths) {
        String parent = parentOf(stagePaths.get(0));
        Module p = parent.isEmpty() ? model : model.getSubmodule(parent);
        List<List<String>> stages = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int next = 0;
        for (String child : p.namedChildren().keySet()) {
            String path = join(parent, child);
            if (next < stagePaths.size()) {
                current.add(path);
                if (path.equals(stagePaths.get(next))) {
                    stages.add(current);
                    current = new ArrayList<>();
                    next++;
                }
            } else {
                current.add(path); // after the last stage: the neck
            }
        }
        if (next < stagePaths.size()) {
            throw new IllegalStateException("LayerGroups: stage '" + stagePaths.get(next) + "' is not a child of '"
                    + parent + "' after the previous stage");
        }
        List<String> neck = current;
        if (!parent.isEmpty()) {
            for (String child : model.namedChildren().keySet()) {
                if (!child.equals(parent)) {
                    neck.add(child);
                }
            }
        }
        List<Group> groups = new ArrayList<>();
        groups.add(new Group(head, List.of(head)));
        List<String> neckLeaves = withParameters(model, withoutHead(model, neck, head));
        if (!neckLeaves.isEmpty()) {
            groups.add(new Group(String.join(",", neckLeaves), neckLeaves));
        }
        for (int i = stages.size() - 1; i >= 0; i--) {
            List<String> withParams = withParameters(model, stages.get(i));
            if (!withParams.isEmpty()) {
                groups.add(new Group(name(stages.get(i), withParams), withParams));
            }
        }
        return groups;
    }

    /** heads.head | heads.pre_logits | encoder.ln | encoder layers, last first | patch embedding and tokens. */
    private static List<Group> visionTransformer(VisionTransformer vit, String head) {
        List<Group> groups = new ArrayList<>();
        groups.add(new Group(head, List.of(head)));
        List<String> neck = withParameters(vit, withoutHead(vit, List.of("heads"), head));
        if (!neck.isEmpty()) {
            groups.add(new Group(String.join(",", neck), neck));
        }
        groups.add(new Group("encoder.ln", List.of("encoder.ln")));
        List<String> layers =
                List.copyOf(vit.getSubmodule("encoder.layers").namedChildren().keySet());
        for (int i = layers.size() - 1; i >= 0; i--) {
            String path = "encoder.layers." + layers.get(i);
            groups.add(new Group(path, List.of(path)));
        }
        groups.add(new Group(
                "conv_proj,class_token,encoder.pos_embedding",
                List.of("conv_proj", "class_token", "encoder.pos_embedding")));
        return groups;
    }

    /** The paths with the head removed: a path holding the head is replaced by its other children. */
    private static List<String> withoutHead(Module model, List<String> paths, String head) {
        List<String> out = new ArrayList<>();
        for (String path : paths) {
            if (path.equals(head)) {
                continue;
            }
            if (head.startsWith(path + ".")) {
                List<String> children = new ArrayList<>();
                model.getSubmodule(path).namedChildren().keySet().forEach(c -> children.add(join(path, c)));
                out.addAll(withoutHead(model, children, head));
            } else {
                out.add(path);
            }
        }
        return out;
    }

    private static List<String> withParameters(Module model, List<String> paths) {
        return paths.stream()
                .filter(p -> !model.getSubmodule(p).parameters().isEmpty())
                .toList();
    }

    /**
     * A stage's name: its one layer with parameters ("layer4", "features.3"); "features.2-5" when its
     * layers are a run of indices under one parent (the parameter-free ones included); else its layers
     * with parameters joined by commas ("conv1,bn1").
     */
    static String name(List<String> stage, List<String> withParams) {
        if (withParams.size() == 1) {
            return withParams.get(0);
        }
        String parent = parentOf(stage.get(0));
        int first = -1;
        boolean run = stage.size() > 1;
        for (int i = 0; run && i < stage.size(); i++) {
            String leaf = stage.get(i).substring(parent.isEmpty() ? 0 : parent.length() + 1);
            run = parentOf(stage.get(i)).equals(parent) && leaf.matches("\\d+");
            if (run) {
                int v = Integer.parseInt(leaf);
                first = i == 0 ? v : first;
                run = v == first + i;
            }
        }
        return run ? join(parent, first + "-" + (first + stage.size() - 1)) : String.join(",", withParams);
    }

    private static String parentOf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    private static String join(String parent, String child) {
        return parent.isEmpty() ? child : parent + "." + child;
    }
}
