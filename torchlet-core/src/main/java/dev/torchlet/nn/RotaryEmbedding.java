package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.functional.F;

/**
 * Rotary position embedding (RoPE, Su et al. 2021) for queries and keys, in the rotate-half layout
 * of GPT-NeoX and Llama; no parameters. On x (..., T, D), D = dim (even), positions p = offset + t:
 * <pre>
 *   theta_i = base^(-2i/D), i < D/2
 *   y[.., i]       = x[.., i] cos(p theta_i) - x[.., i + D/2] sin(p theta_i)
 *   y[.., i + D/2] = x[.., i + D/2] cos(p theta_i) + x[.., i] sin(p theta_i)
 * </pre>
 * Apply it to q and k of shape (B, heads, T, headDim) before the attention scores, so that
 * q_m . k_n depends on m - n only. See {@link F#rotaryEmbedding}.
 */
public class RotaryEmbedding extends Module {
    private final int dim;
    private final double base;

    /** base 10000, as the paper and most models. */
    public RotaryEmbedding(int dim) {
        this(dim, 10000.0);
    }

    public RotaryEmbedding(int dim, double base) {
        if (dim <= 0 || dim % 2 != 0 || !(base > 1)) {
            throw new IllegalArgumentException(
                    "RotaryEmbedding: dim must be positive and even and base > 1, got " + dim + " and " + base);
        }
        this.dim = dim;
        this.base = base;
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** Positions offset .. offset+T-1 along dim -2 (e.g. cached keys before the new tokens). */
    public Tensor forward(Tensor x, int offset) {
        if (x.dim() < 2 || x.size(x.dim() - 1) != dim) {
            throw new IllegalArgumentException("RotaryEmbedding: expected input (..., T, " + dim + "), got "
                    + Shape.str(TensorInternals.shapeRef(x)));
        }
        return F.rotaryEmbedding(x, offset, base);
    }

    /** Runs {@link #forward(Tensor, int)} through the forward hooks. */
    public final Tensor call(Tensor x, int offset) {
        return callWithHooks(a -> forward((Tensor) a[0], (Integer) a[1]), x, offset);
    }

    @Override
    protected String extraRepr() {
        return dim + ", base=" + base;
    }
}
