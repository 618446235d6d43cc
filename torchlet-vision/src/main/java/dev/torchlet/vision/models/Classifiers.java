package dev.torchlet.vision.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import java.util.function.UnaryOperator;

/**
 * The classification head of each zoo family by torchvision's module path, and
 * {@link #reset(Module, String, int)} (timm's {@code reset_classifier}): a fresh head for k classes
 * with the right input width, or none (k = 0) so the model returns its pooled features.
 */
public final class Classifiers {
    private Classifiers() {}

    /** The head's module path for a zoo model name: "fc", "classifier.6", "heads.head", ... */
    public static String headPath(String model) {
        if (model.startsWith("resnet") || model.startsWith("resnext") || model.startsWith("wide_resnet")) {
            return "fc";
        }
        if (model.equals("alexnet") || model.startsWith("vgg")) {
            return "classifier.6";
        }
        if (model.startsWith("squeezenet")) {
            return "classifier.1"; // a 1x1 convolution to the classes, then ReLU and global average pooling
        }
        if (model.startsWith("densenet")) {
            return "classifier";
        }
        if (model.equals("mobilenet_v2") || model.startsWith("efficientnet")) {
            return "classifier.1";
        }
        if (model.startsWith("mobilenet_v3")) {
            return "classifier.3";
        }
        if (model.startsWith("convnext")) {
            return "classifier.2";
        }
        if (model.startsWith("vit")) {
            return "heads.head";
        }
        throw new IllegalArgumentException("Classifiers: no known head for model '" + model + "'");
    }

    /**
     * What the model does after its head, as a function of the head's output: identity for every family
     * but SqueezeNet, whose 1x1 convolution head is followed by ReLU, global average pooling and
     * flattening. With it, a head trained alone (a linear probe on cached head inputs) gives logits.
     */
    public static UnaryOperator<Tensor> afterHead(String model) {
        if (model.startsWith("squeezenet")) {
            return x -> F.adaptiveAvgPool2d(F.relu(x), 1, 1).flatten(1);
        }
        headPath(model); // unknown names fail here
        return UnaryOperator.identity();
    }

    /**
     * Replaces the head of a zoo model with a new one for numClasses (PyTorch's default init), or with
     * Identity when numClasses is 0 (the model then outputs its pooled features, e.g. (B, 512) for
     * resnet18). Returns the model.
     */
    public static <M extends Module> M reset(M model, String name, int numClasses) {
        if (numClasses < 0) {
            throw new IllegalArgumentException("Classifiers.reset: numClasses must be >= 0, got " + numClasses);
        }
        String path = headPath(name);
        Module head = model.getSubmodule(path);
        int in = inputWidth(head, path);
        Module replacement;
        if (numClasses == 0) {
            replacement = new Identity();
        } else if (head instanceof Conv2d) {
            replacement = new Conv2d(Conv2dOptions.of(in, numClasses, 1));
        } else {
            replacement = new Linear(in, numClasses);
        }
        model.replaceModule(path, replacement);
        return model;
    }

    /** The number of features the head takes: in_features of a Linear, in_channels of a 1x1 Conv2d. */
    static int inputWidth(Module head, String path) {
        Tensor w = head.parameter("weight");
        if ((head instanceof Linear || head instanceof Conv2d) && w != null) {
            return w.size(1);
        }
        throw new IllegalStateException(
                "Classifiers: '" + path + "' is a " + head.getClass().getSimpleName()
                        + ", not the Linear or Conv2d head this needs (was it replaced already?)");
    }
}
