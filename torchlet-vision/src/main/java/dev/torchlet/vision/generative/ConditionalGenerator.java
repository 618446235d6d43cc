package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Embedding;
import dev.torchlet.nn.Module;
import java.util.List;

/**
 * The DCGAN generator conditioned on a class: the label's learned embedding is concatenated to the
 * noise, {@code (B, noise) ++ (B, embed) -> DCGAN.generator(noise + embed)}. Children: {@code label_emb}
 * (Embedding(classes, embed)) and {@code net} (the {@link DCGAN#generator(int)} layers).
 */
public class ConditionalGenerator extends Module {
    private final int numClasses;
    private final int noiseDim;

    public ConditionalGenerator(int noiseDim, int numClasses, int embedDim) {
        DCGAN.positive("numClasses", numClasses);
        DCGAN.positive("embedDim", embedDim);
        this.numClasses = numClasses;
        this.noiseDim = noiseDim;
        registerModule("label_emb", new Embedding(numClasses, embedDim));
        registerModule("net", DCGAN.generator(noiseDim + embedDim));
    }

    /** Images (B, 1, 28, 28) in [-1, 1] of noise (B, noise) and int64 labels (B). */
    public Tensor call(Tensor noise, Tensor labels) {
        return callWithHooks(a -> generate((Tensor) a[0], (Tensor) a[1]), noise, labels);
    }

    private Tensor generate(Tensor noise, Tensor labels) {
        Labels.check("ConditionalGenerator", labels, noise.shape()[0], numClasses);
        if (noise.dim() != 2 || noise.shape()[1] != noiseDim) {
            throw new IllegalArgumentException("ConditionalGenerator: expected noise (B, " + noiseDim + "), got "
                    + java.util.Arrays.toString(noise.shape()));
        }
        Tensor h = Torch.cat(List.of(noise, child("label_emb").call(labels)), 1); // (B, noise + embed)
        return child("net").call(h);
    }

    /** A conditional generator needs labels: use {@link #call(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor noise) {
        throw new IllegalArgumentException(
                "ConditionalGenerator: needs class labels as well as noise; call(noise, labels)");
    }

    public int numClasses() {
        return numClasses;
    }
}
