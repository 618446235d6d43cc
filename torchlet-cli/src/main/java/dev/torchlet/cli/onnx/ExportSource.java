package dev.torchlet.cli.onnx;

import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.weights.PretrainedWeights;
import dev.torchlet.vision.weights.WeightRegistry;
import dev.torchlet.vision.weights.WeightSpec;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The model {@code torchlet export} traces, in eval mode: a zoo model (random, pretrained or from a state-dict file,
 * loaded as {@code torchlet classify} loads weights) or a {@code torchlet train} checkpoint (as {@code eval} loads
 * it). {@code description} says which, for the summary; {@code defaultInput} is the input shape the model expects,
 * batch 1.
 */
record ExportSource(Module model, String description, int[] defaultInput) {
    /** The word for {@code --weights} that picks the registry's DEFAULT weights. */
    static final String PRETRAINED = "pretrained";

    /**
     * A zoo model by torchvision's name. {@code weights}: null for torchvision's random initialization,
     * {@value #PRETRAINED} for the registry's DEFAULT weights (found locally, or downloaded with {@code download}),
     * else a .pth or .safetensors state dict.
     */
    static ExportSource zoo(String name, int numClasses, String weights, boolean download) throws IOException {
        Module net = Models.create(name, numClasses);
        List<WeightSpec> published = WeightRegistry.forModel(name);
        int size = published.isEmpty()
                ? 224
                : WeightRegistry.defaultFor(name).preprocessing().crop();
        String head = name + " (" + numClasses + " classes)";
        String description;
        if (weights == null) {
            description = head + " with random weights (torchvision's initialization; --weights " + PRETRAINED
                    + " or a state-dict file for trained ones)";
        } else if (weights.equals(PRETRAINED)) {
            WeightSpec spec = WeightRegistry.defaultFor(name);
            if (numClasses != 1000) {
                throw new IllegalArgumentException("--weights " + PRETRAINED + " are " + spec.tag()
                        + " weights with 1000 classes; --num-classes " + numClasses + " does not fit them");
            }
            Path file = PretrainedWeights.resolveAndLoad(net, spec, null, download);
            description = head + " with " + spec.tag() + " weights from " + file;
        } else {
            Path file = Path.of(weights);
            if (!Files.isRegularFile(file)) {
                throw new FileNotFoundException(
                        "weights: no such file " + file + " (give a .pth or .safetensors file, or " + PRETRAINED + ")");
            }
            if (published.isEmpty()) {
                PretrainedWeights.load(net, file, null);
            } else { // hash-checked when it is the registry's own file
                PretrainedWeights.resolveAndLoad(net, WeightRegistry.defaultFor(name), file, false);
            }
            description = head + " with weights from " + file;
        }
        net.eval();
        return new ExportSource(net, description, new int[] {1, 3, size, size});
    }

    /** A {@code torchlet train} checkpoint: a Fashion-MNIST model for 1x28x28 images. */
    static ExportSource checkpoint(Path file) throws IOException {
        SavedModel saved = SavedModel.load(file);
        if (saved.quantization() != null) {
            throw new IllegalArgumentException(file + " is a " + saved.quantization()
                    + " model (torchlet compress quantize); ONNX export takes float models: export the checkpoint it"
                    + " was quantized from");
        }
        String epoch = saved.metadata().get("epoch");
        String description = saved.metadata().get("model") + " from checkpoint " + file
                + (epoch != null ? " (epoch " + epoch + ")" : "");
        return new ExportSource(saved.model().eval(), description, new int[] {1, 1, 28, 28});
    }
}
