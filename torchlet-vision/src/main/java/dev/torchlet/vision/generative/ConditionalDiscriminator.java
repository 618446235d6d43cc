package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Embedding;
import dev.torchlet.nn.Module;
import java.util.List;

/**
 * The DCGAN discriminator conditioned on a class: the label's learned 28x28 embedding is an extra input
 * channel, {@code (B, 1, 28, 28) ++ (B, 1, 28, 28) -> DCGAN.discriminator(2)}. Children: {@code label_emb}
 * (Embedding(classes, 784)) and {@code net} (the {@link DCGAN#discriminator(int)} layers).
 */
public class ConditionalDiscriminator extends Module {
    private final int numClasses;

    public ConditionalDiscriminator(int numClasses) {
        DCGAN.positive("numClasses", numClasses);
        this.numClasses = numClasses;
        registerModule("label_emb", new Embedding(numClasses, 28 * 28));
        registerModule("net", DCGAN.discriminator(2));
    }

    /** Logits (B, 1) of images (B, 1, 28, 28) and int64 labels (B). */
    public Tensor call(Tensor images, Tensor labels) {
        return callWithHooks(a -> discriminate((Tensor) a[0], (Tensor) a[1]), images, labels);
    }

    private Tensor discriminate(Tensor images, Tensor labels) {
        int b = images.shape()[0];
        Labels.check("ConditionalDiscriminator", labels, b, numClasses);
        Tensor plane = child("label_emb").call(labels).reshape(b, 1, 28, 28);
        return child("net").call(Torch.cat(List.of(images, plane), 1));
    }

    /** A conditional discriminator needs labels: use {@link #call(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor images) {
        throw new IllegalArgumentException(
                "ConditionalDiscriminator: needs class labels as well as images; call(images, labels)");
    }
}
