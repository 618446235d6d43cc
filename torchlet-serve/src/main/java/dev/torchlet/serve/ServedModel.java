package dev.torchlet.serve;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Fusion;
import dev.torchlet.nn.Module;
import java.util.Arrays;
import java.util.List;

/**
 * A model as the server sees it: one FP32 input of shape (C, H, W) per sample, one FP32 output (the logits,
 * shape {@code outputShape} per sample), class labels, how to turn an uploaded image into an input, and
 * optionally the module path of the layer Grad-CAM explains (the last conv stage; null: no explanations).
 *
 * @param spec what it was loaded from (shown by the repository index)
 */
public record ServedModel(
        String name,
        String spec,
        Module module,
        int[] inputShape,
        int[] outputShape,
        List<String> labels,
        ImagePreprocessor preprocessor,
        String gradCamLayer) {
    public static final String DATATYPE = "FP32";
    public static final String INPUT_NAME = "input";
    public static final String OUTPUT_NAME = "output";

    public ServedModel {
        if (name == null || !name.matches("[A-Za-z0-9_.\\-]+")) {
            throw new IllegalArgumentException(
                    "model name must be letters, digits, '_', '.' or '-', got '" + name + "'");
        }
        if (inputShape == null
                || inputShape.length != 3
                || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("model '" + name + "': input shape must be (C, H, W) with positive "
                    + "sizes, got " + Arrays.toString(inputShape));
        }
        if (outputShape == null || outputShape.length == 0) {
            throw new IllegalArgumentException("model '" + name + "': output shape missing");
        }
        inputShape = inputShape.clone();
        outputShape = outputShape.clone();
        labels = List.copyOf(labels);
        if (gradCamLayer != null) {
            module.getSubmodule(gradCamLayer); // fails early, naming the path
        }
    }

    /**
     * A model whose output shape is learned from one forward pass on zeros. The module is put in eval mode.
     */
    public static ServedModel of(
            String name,
            String spec,
            Module module,
            int[] inputShape,
            List<String> labels,
            ImagePreprocessor preprocessor,
            String gradCamLayer) {
        module.eval();
        fuseForInference(module, inputShape);
        int[] out;
        try (var g = Torch.noGrad()) {
            Tensor y = module.call(Torch.zeros(1, inputShape[0], inputShape[1], inputShape[2]));
            out = Arrays.copyOfRange(y.shape(), 1, y.dim());
        }
        return new ServedModel(name, spec, module, inputShape, out, labels, preprocessor, gradCamLayer);
    }

    /**
     * Folds batch norm into the convolutions before it and fuses their ReLU/ReLU6, as ONNX Runtime does when it
     * loads a model: a served model only runs inference, and each fold saves a pass over an activation (ResNet-18
     * at batch 1: about 15% for batch norm). {@link Fusion#fuseForInference} checks the rewritten model against
     * the original and puts everything back if they differ (a model that also reads a convolution's raw output);
     * then the model is served unfused.
     */
    private static void fuseForInference(Module module, int[] inputShape) {
        try {
            Fusion.fuseForInference(module, Torch.rand(1, inputShape[0], inputShape[1], inputShape[2]));
        } catch (IllegalStateException | IllegalArgumentException e) {
            // served as it is
        }
    }

    /** Elements of one sample's input. */
    public int inputNumel() {
        return inputShape[0] * inputShape[1] * inputShape[2];
    }

    /** Elements of one sample's output. */
    public int outputNumel() {
        int n = 1;
        for (int d : outputShape) {
            n *= d;
        }
        return n;
    }

    /** The label of class i, or its index as text when the model has no (or too few) labels. */
    public String label(int i) {
        return i < labels.size() ? labels.get(i) : Integer.toString(i);
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    @Override
    public int[] outputShape() {
        return outputShape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "ServedModel[" + name + ", " + spec + ", input " + Arrays.toString(inputShape) + ", output "
                + Arrays.toString(outputShape) + "]";
    }
}
