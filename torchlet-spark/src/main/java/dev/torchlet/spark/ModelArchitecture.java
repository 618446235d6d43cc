package dev.torchlet.spark;

import dev.torchlet.Tensor;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.data.transforms.Transform;
import dev.torchlet.nn.Module;
import dev.torchlet.text.BatchEncoding;
import dev.torchlet.text.Tokenizer;
import java.util.function.Function;

/**
 * A network as a {@link ModelProvider} constructs it, with what turns an input cell into its input: decoded images
 * go through {@code imageTransform}; a model with {@code text} reads string columns as text.
 *
 * @param module the network (weights as constructed)
 * @param imageTransform decoded image -> (C, H, W) input tensor (resize, crop, normalize); null for text models
 * @param imageChannels channels images are decoded to before the transform: 1 (grayscale) or 3 (RGB)
 * @param text for text models: the tokenizer and the forward pass over a batch; null for image/numeric models
 */
public record ModelArchitecture(
        Module module, Transform<Image, Tensor> imageTransform, int imageChannels, TextInput text) {
    public ModelArchitecture {
        if (imageTransform != null && imageChannels != 1 && imageChannels != 3) {
            throw new IllegalArgumentException("imageChannels must be 1 or 3, got " + imageChannels);
        }
    }

    /** An image or numeric model. */
    public ModelArchitecture(Module module, Transform<Image, Tensor> imageTransform, int imageChannels) {
        this(module, imageTransform, imageChannels, null);
    }

    /** A text model: strings are tokenized (truncated to maxLength, padded per batch) and given to text.run. */
    public static ModelArchitecture forText(Module module, TextInput text) {
        return new ModelArchitecture(module, null, 3, text);
    }

    public boolean isText() {
        return text != null;
    }

    /**
     * How a text model reads strings.
     *
     * @param tokenizer text -> ids (with the model's special tokens)
     * @param maxLength tokens kept per text (longer texts are truncated)
     * @param run a padded batch (ids and attention mask) -> one row of outputs per text, (B, D), e.g. the model's
     *     pooled embeddings
     */
    public record TextInput(Tokenizer tokenizer, int maxLength, Function<BatchEncoding, Tensor> run) {}
}
