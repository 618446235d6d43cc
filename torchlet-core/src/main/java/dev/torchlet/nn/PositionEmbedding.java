package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;

/**
 * A learned absolute position embedding added to a token sequence: x (N, L, D) + weight (1, L, D)
 * -&gt; (N, L, D), one learned D-vector per position. The input must have exactly L tokens (a ViT's
 * L is its patch count plus the class token, fixed by the image size).
 *
 * <p>Initialization: N(0, 0.02^2), as torchvision's VisionTransformer initializes its encoder's
 * {@code pos_embedding} ("from BERT"). torchvision's ViT keeps {@code encoder.pos_embedding} as the
 * encoder's own parameter and calls the same {@link F#addPositionEmbedding}, so its state-dict names
 * stay torchvision's.
 */
public class PositionEmbedding extends Module {
    private final int length;
    private final int dim;

    /**
     * @param length sequence length L
     * @param dim    token width D
     */
    public PositionEmbedding(int length, int dim) {
        if (length < 1 || dim < 1) {
            throw new IllegalArgumentException(
                    "PositionEmbedding: length and dim must be >= 1, got " + length + " and " + dim);
        }
        this.length = length;
        this.dim = dim;
        Init.normal(registerParameter("weight", Torch.zeros(1, length, dim)), 0, 0.02);
    }

    public int length() {
        return length;
    }

    public int dim() {
        return dim;
    }

    @Override
    public Tensor forward(Tensor x) { // (N, L, D) -> (N, L, D)
        return F.addPositionEmbedding(x, parameter("weight"));
    }

    @Override
    protected String extraRepr() {
        return "length=" + length + ", dim=" + dim;
    }
}
