package dev.torchlet.vision.features;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-scale backbone, as timm's {@code features_only=True, out_indices=...}: a model's stage
 * outputs as a list of feature maps, with each returned stage's channels and reduction (timm's
 * {@code feature_info.channels()} and {@code .reduction()}). For resnet50 on x (N, 3, 224, 224):
 *
 * <pre>
 *   FeatureBackbone b = Models.createFeatures("resnet50");           // all 5 stages
 *   b.channels()   -&gt; [64, 256, 512, 1024, 2048]
 *   b.reductions() -&gt; [2, 4, 8, 16, 32]
 *   b.extract(x)   -&gt; [(N, 64, 112, 112), (N, 256, 56, 56), ..., (N, 2048, 7, 7)]
 *   Models.createFeatures("resnet50", 2, 3, 4).extract(x)           // strides 8, 16, 32, as for an FPN
 * </pre>
 *
 * The stages of each zoo family are {@link FeatureStages}'s; any model works with stage paths of your
 * own. Built on {@link FeatureExtractor} (forward hooks), so the forward stops right after the last
 * requested stage: the layers after it (the classifier, later stages) do not run, though they stay in
 * the model (so torchvision's state dicts still load into {@link #model()}).
 *
 * <p>Channels and reductions are measured once, when the backbone is made, by a forward of one
 * 64x64 probe image (eval mode, no graph; the model's train/eval modes and batch-norm statistics are
 * left as they were), so they are right for any width, dilation or replaced layer. The reduction of a
 * stage is 64 / its height; for inputs whose sides are multiples of 32 the maps are exactly
 * H / reduction by W / reduction.
 */
public final class FeatureBackbone {
    /** Side of the probe image that measures channels and reductions. */
    static final int PROBE_SIZE = 64;

    /**
     * One returned stage, as an entry of timm's {@code feature_info}.
     *
     * @param index      the stage's index among all stages of the model (timm's out_indices entry)
     * @param modulePath the module whose output it is ("layer3", "features.6")
     * @param channels   channels C of its (N, C, h, w) maps
     * @param reduction  input size over map size (2 for 1/2 resolution, ... 32)
     */
    public record Stage(int index, String modulePath, int channels, int reduction) {}

    private final Module model;
    private final List<Stage> stages;
    private final FeatureExtractor extractor;

    private FeatureBackbone(Module model, List<Stage> stages) {
        this.model = model;
        this.stages = List.copyOf(stages);
        this.extractor = FeatureExtractor.of(
                model, stages.stream().map(Stage::modulePath).toArray(String[]::new));
    }

    /**
     * A backbone over a zoo model's stages ({@link FeatureStages#of}). outIndices pick stages by index
     * (negative: from the end, as in Python); none picks all, timm's default.
     *
     * @throws IllegalArgumentException for a model without known stages (ViT, AlexNet, SqueezeNet) or bad
     *     indices
     */
    public static FeatureBackbone of(Module model, int... outIndices) {
        return of(model, FeatureStages.of(model), outIndices);
    }

    /**
     * A backbone over the given stage module paths of any model whose stage outputs are (N, C, h, w)
     * maps, highest resolution first; outIndices pick among them (none: all).
     */
    public static FeatureBackbone of(Module model, List<String> stagePaths, int... outIndices) {
        if (stagePaths.isEmpty()) {
            throw new IllegalArgumentException("FeatureBackbone: give at least one stage module path");
        }
        int[] picked = resolve(outIndices, stagePaths);
        String[] paths = Arrays.stream(picked).mapToObj(stagePaths::get).toArray(String[]::new);
        Map<String, Tensor> probe = probe(model, paths);
        List<Stage> stages = new ArrayList<>();
        for (int k = 0; k < picked.length; k++) {
            Tensor map = probe.get(paths[k]);
            if (map.dim() != 4) {
                throw new IllegalArgumentException("FeatureBackbone: stage " + picked[k] + " ('" + paths[k]
                        + "') outputs " + Shape.str(map.shape()) + ", not a feature map (N, C, h, w)");
            }
            stages.add(new Stage(picked[k], paths[k], map.size(1), Math.round(PROBE_SIZE / (float) map.size(2))));
        }
        return new FeatureBackbone(model, stages);
    }

    /** outIndices as non-negative stage indices, all stages when empty; checked for range and repeats. */
    private static int[] resolve(int[] outIndices, List<String> stagePaths) {
        int n = stagePaths.size();
        if (outIndices.length == 0) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] out = new int[outIndices.length];
        for (int k = 0; k < outIndices.length; k++) {
            int i = outIndices[k];
            if (i < -n || i >= n) {
                throw new IllegalArgumentException("FeatureBackbone: out index " + i + " is out of range for " + n
                        + " stages " + stagePaths + " (use 0.." + (n - 1) + " or -" + n + "..-1)");
            }
            out[k] = i < 0 ? i + n : i;
            for (int j = 0; j < k; j++) {
                if (out[j] == out[k]) {
                    throw new IllegalArgumentException(
                            "FeatureBackbone: stage " + out[k] + " requested twice in " + Arrays.toString(outIndices));
                }
            }
        }
        return out;
    }

    /** The stage outputs for one zero image of PROBE_SIZE, in eval mode without a graph; modes restored. */
    private static Map<String, Tensor> probe(Module model, String[] paths) {
        int inChannels = 3;
        for (Module m : model.modules()) {
            if (m instanceof Conv2d conv) {
                inChannels = conv.options().inChannels();
                break;
            }
        }
        FeatureExtractor fx = FeatureExtractor.of(model, paths);
        Map<Module, Boolean> modes = new IdentityHashMap<>();
        List<Module> modules = model.modules(); // parents before children
        modules.forEach(m -> modes.put(m, m.isTraining()));
        model.eval();
        try (var g = Torch.noGrad()) {
            return fx.extract(Torch.zeros(1, inChannels, PROBE_SIZE, PROBE_SIZE));
        } finally {
            modules.forEach(m -> m.train(modes.get(m))); // each parent first, so every module ends as it was
        }
    }

    /**
     * Runs the model on x (N, C, H, W) up to the last requested stage and returns the stage outputs in
     * outIndices order: (N, channels[i], H / reductions[i], W / reductions[i]) each (for sides that are
     * multiples of 32). Train/eval and grad mode apply as usual.
     */
    public List<Tensor> extract(Tensor x) {
        Map<String, Tensor> out = extractor.extract(x);
        return stages.stream().map(s -> out.get(s.modulePath())).toList();
    }

    /** The returned stages (timm's feature_info), in outIndices order. */
    public List<Stage> featureInfo() {
        return stages;
    }

    /** Channels of each returned stage. */
    public int[] channels() {
        return stages.stream().mapToInt(Stage::channels).toArray();
    }

    /** Reduction (input size / map size) of each returned stage. */
    public int[] reductions() {
        return stages.stream().mapToInt(Stage::reduction).toArray();
    }

    /** The stage indices returned, non-negative. */
    public int[] outIndices() {
        return stages.stream().mapToInt(Stage::index).toArray();
    }

    /** Module path of each returned stage. */
    public List<String> modulePaths() {
        return stages.stream().map(Stage::modulePath).toList();
    }

    /** The whole model (its parameters are the backbone's; freeze, load or train it as usual). */
    public Module model() {
        return model;
    }

    @Override
    public String toString() {
        return "FeatureBackbone(" + model.getClass().getSimpleName() + ", " + stages + ")";
    }
}
