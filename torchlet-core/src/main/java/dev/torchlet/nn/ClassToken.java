package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;

/**
 * A learned class token put in front of a token sequence (Dosovitskiy et al., 2020; BERT's [CLS]):
 * x (N, L, D) -&gt; (N, L + 1, D), position 0 of every sample being the parameter {@code token}
 * (1, 1, D). A classifier then reads the encoder's output at position 0.
 *
 * <p>Initialization: zeros, as torchvision's VisionTransformer initializes its {@code class_token}
 * (timm draws N(0, 1e-6^2) instead; use {@link Init#normal} for that). torchvision's ViT keeps the
 * token as its own parameter {@code class_token} and calls the same {@link F#prependClassToken}, so
 * its state-dict names stay torchvision's.
 */
public class ClassToken extends Module {
    private final int dim;

    /** @param dim token width D */
    public ClassToken(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("ClassToken: dim must be >= 1, got " + dim);
        }
        this.dim = dim;
        registerParameter("token", Torch.zeros(1, 1, dim));
    }

    public int dim() {
        return dim;
    }

    @Override
    public Tensor forward(Tensor x) { // (N, L, D) -> (N, L + 1, D)
        return F.prependClassToken(x, parameter("token"));
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
