package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.AvgPool2d;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Fusion;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.vision.models.ResNet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static int8 quantization of feed-forward models (nested {@link Sequential}s of the layers in {@link #SUPPORTED}),
 * PyTorch's eager-mode flow with the fusions it would be told to make:
 *
 * <ol>
 *   <li>{@link #prepare}: Conv2d [+BatchNorm2d] [+ReLU] and Linear [+BatchNorm1d] [+ReLU] become one layer each
 *       (batch norm folded with its running statistics), with an observer of the model input and of each
 *       layer's output; the original model is not changed;
 *   <li>calibration: run representative batches through the prepared model ({@link #calibrate});
 *   <li>{@link #convert}: int8 weights (per-channel symmetric), quint8 activations with the observed parameters.
 * </ol>
 *
 * {@link #prepareQat} prepares the same structure with fake quantization for quantization-aware training: train
 * it, then convert. Batch norm is folded before QAT with its running statistics and stays frozen (PyTorch's
 * {@code ConvBn2d} instead keeps updating them during QAT and folds at convert; the frozen fold is the variant
 * PyTorch recommends for the last QAT epochs).
 */
public final class StaticQuantizer {
    /** Layer types static quantization supports, for error messages. */
    public static final String SUPPORTED = "Conv2d, Linear, BatchNorm2d/BatchNorm1d (right after a Conv2d/Linear, "
            + "folded), ReLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout, Identity, inside nested "
            + "Sequential containers; and torchvision-style ResNets (BasicBlock, Bottleneck)";

    private StaticQuantizer() {}

    /** Post-training: fused layers with observers from {@code qconfig}; the model must be in eval mode. */
    public static ObservedModel prepare(Module model, QConfig qconfig) {
        if (qconfig.qat()) {
            throw new IllegalArgumentException("prepare: " + qconfig.name() + " is a QAT config; use prepareQat");
        }
        if (model.isTraining()) {
            throw new IllegalStateException("prepare: the model is in training mode; call eval() first (batch norm "
                    + "is folded with its running statistics)");
        }
        ObservedModel prepared = new ObservedModel(fuse(model, qconfig), qconfig);
        prepared.eval();
        return prepared;
    }

    /** Quantization-aware training: the fused layers with fake quantization, in training mode. */
    public static ObservedModel prepareQat(Module model) {
        boolean training = model.isTraining();
        model.eval(); // fold batch norm with the running statistics
        ObservedModel prepared;
        try {
            prepared = new ObservedModel(fuse(model, QConfig.defaultQat()), QConfig.defaultQat());
        } finally {
            model.train(training);
        }
        prepared.train();
        return prepared;
    }

    /** Runs calibration batches through a prepared model without recording gradients. */
    public static void calibrate(ObservedModel prepared, Iterable<Tensor> batches) {
        try (var g = Torch.noGrad()) {
            for (Tensor x : batches) {
                prepared.call(x);
            }
        }
    }

    /** The int8 model; fails, naming the first one, if an observer has seen no data. */
    public static QuantizedModel convert(ObservedModel prepared) {
        requireCalibrated(prepared);
        List<QuantizedStage> stages = new ArrayList<>();
        for (Module m : prepared.body().children()) {
            stages.add(quantizedStage(m, true));
        }
        return new QuantizedModel(prepared.inputObserver().calculateQParams(), stages);
    }

    /**
     * The int8 structure of a prepared model with placeholder parameters (scale 1, zero point 0), to load a saved
     * quantized state dict into.
     */
    static QuantizedModel skeleton(ObservedModel prepared) {
        List<QuantizedStage> stages = new ArrayList<>();
        for (Module m : prepared.body().children()) {
            stages.add(quantizedStage(m, false));
        }
        return new QuantizedModel(QParams.perTensor(1f, 0), stages);
    }

    private static QuantizedStage quantizedStage(Module m, boolean calibrated) {
        if (m instanceof ObservedResidualBlock block) {
            List<QuantizedStage> body = new ArrayList<>();
            block.child("body").children().forEach(l -> body.add(quantizedStage(l, calibrated)));
            QuantizedStage ds = block.namedChildren().containsKey("downsample")
                    ? quantizedStage(block.child("downsample"), calibrated)
                    : null;
            QParams out = calibrated ? block.outputObserver().calculateQParams() : QParams.perTensor(1f, 0);
            return new QuantizedResidualBlock(body, ds, out);
        }
        if (m instanceof ObservedLayer layer) {
            QParams out = calibrated ? layer.outputObserver().calculateQParams() : QParams.perTensor(1f, 0);
            QParams weights = calibrated ? layer.weightQParams() : null;
            return layer.layer() instanceof Conv2d conv
                    ? new QuantizedConv2d(conv, layer.relu(), out, weights)
                    : new QuantizedLinear((Linear) layer.layer(), layer.relu(), out, weights);
        }
        return new QuantizedFloatOp(m);
    }

    private static void requireCalibrated(ObservedModel prepared) {
        if (!prepared.inputObserver().hasObserved()) {
            throw new IllegalStateException("convert: the model was not calibrated (the input observer has seen no "
                    + "data): run calibration batches through the prepared model first");
        }
        int i = 0;
        for (Module m : prepared.body().children()) {
            boolean seen = switch (m) {
                case ObservedLayer layer -> layer.outputObserver().hasObserved();
                case ObservedResidualBlock block -> block.outputObserver().hasObserved();
                default -> true; // pooling, flatten, ...: no observer of their own
            };
            if (!seen) {
                throw new IllegalStateException("convert: the observer after body." + i + " ("
                        + m.getClass().getSimpleName() + ") has seen no data: calibrate first");
            }
            i++;
        }
    }

    /** The model's layers in call order, fused, as a new Sequential (weights copied; the model is untouched). */
    private static Sequential fuse(Module model, QConfig qconfig) {
        Map<String, Module> leaves = new LinkedHashMap<>();
        flatten("", model, leaves);
        List<String> paths = new ArrayList<>(leaves.keySet());
        List<Module> out = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            Module m = leaves.get(paths.get(i));
            Module next = i + 1 < paths.size() ? leaves.get(paths.get(i + 1)) : null;
            if (m instanceof Conv2d conv) {
                Conv2d fused = next instanceof BatchNorm2d bn ? Fusion.fuseConvBnEval(conv, bn) : copy(conv);
                i += next instanceof BatchNorm2d ? 1 : 0;
                boolean relu = i + 1 < paths.size() && leaves.get(paths.get(i + 1)) instanceof ReLU;
                i += relu ? 1 : 0;
                out.add(new ObservedLayer(fused, relu, qconfig));
            } else if (m instanceof Linear lin) {
                Linear fused = next instanceof BatchNorm1d bn ? LinearBnFold.fold(lin, bn) : LinearBnFold.copy(lin);
                i += next instanceof BatchNorm1d ? 1 : 0;
                boolean relu = i + 1 < paths.size() && leaves.get(paths.get(i + 1)) instanceof ReLU;
                i += relu ? 1 : 0;
                out.add(new ObservedLayer(fused, relu, qconfig));
            } else if (ObservedResidualBlock.isResidualBlock(m)) {
                out.add(new ObservedResidualBlock(m, qconfig));
            } else if (m instanceof ReLU
                    || m instanceof MaxPool2d
                    || m instanceof AvgPool2d
                    || m instanceof AdaptiveAvgPool2d
                    || m instanceof Flatten
                    || m instanceof Dropout
                    || m instanceof Identity) {
                out.add(m);
            } else {
                throw new IllegalArgumentException("static quantization: " + describe(paths.get(i), m)
                        + (m instanceof BatchNorm2d || m instanceof BatchNorm1d
                                ? " does not follow a Conv2d/Linear, so it cannot be folded"
                                : " is not supported")
                        + "; supported: " + SUPPORTED);
            }
        }
        return new Sequential(out.toArray(new Module[0]));
    }

    private static String describe(String path, Module m) {
        return m.getClass().getSimpleName() + (path.isEmpty() ? " (the model itself)" : " at '" + path + "'");
    }

    private static void flatten(String path, Module m, Map<String, Module> leaves) {
        if (m instanceof ResNet) { // its forward, in order: stem, four stages, pool, flatten, classifier
            for (String name :
                    List.of("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool")) {
                flatten(join(path, name), m.child(name), leaves);
            }
            leaves.put(join(path, "flatten"), new Flatten());
            flatten(join(path, "fc"), m.child("fc"), leaves);
        } else if (m instanceof Sequential) {
            for (var e : m.namedChildren().entrySet()) {
                flatten(join(path, e.getKey()), e.getValue(), leaves);
            }
        } else {
            leaves.put(path, m);
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static Conv2d copy(Conv2d conv) {
        Conv2d c = new Conv2d(conv.options());
        c.loadStateDict(conv.stateDict());
        return c;
    }
}
