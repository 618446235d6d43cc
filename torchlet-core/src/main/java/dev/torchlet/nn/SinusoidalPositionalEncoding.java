package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.functional.F;

/**
 * Adds the fixed sinusoidal position encoding of "Attention Is All You Need" (no parameters):
 * <pre>
 *   y[.., pos, 2i]   = x[.., pos, 2i]   + sin(pos / 10000^(2i/D))
 *   y[.., pos, 2i+1] = x[.., pos, 2i+1] + cos(pos / 10000^(2i/D))
 * </pre>
 * (the table of PyTorch's language-model tutorial, computed in float32 the same way; see
 * {@link F#sinusoidalPositions}). Input (B, T, D) with batchFirst (the default here), else (T, B, D);
 * positions start at {@code offset} (0 for {@link #forward(Tensor)}), at most maxLen in all.
 */
public class SinusoidalPositionalEncoding extends Module {
    private final int dModel;
    private final int maxLen;
    private final boolean batchFirst;
    private final Tensor table; // (maxLen, D), fixed: not a parameter nor in the state dict

    public SinusoidalPositionalEncoding(int dModel, int maxLen) {
        this(dModel, maxLen, true);
    }

    public SinusoidalPositionalEncoding(int dModel, int maxLen, boolean batchFirst) {
        if (dModel <= 0 || maxLen <= 0) {
            throw new IllegalArgumentException("SinusoidalPositionalEncoding: dModel and maxLen must be positive, got "
                    + dModel + " and " + maxLen);
        }
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        this.table = F.sinusoidalPositions(maxLen, dModel, 0);
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, 0);
    }

    /** Positions offset .. offset+T-1 (e.g. the next tokens of an incremental decoder). */
    public Tensor forward(Tensor x, int offset) {
        int t = PositionChecks.sequenceLength("SinusoidalPositionalEncoding", x, dModel, maxLen, offset, batchFirst);
        Tensor pe = table.narrow(0, offset, t); // (T, D)
        if (x.dtype() != pe.dtype()) {
            pe = pe.to(x.dtype());
        }
        return x.add(batchFirst ? pe : pe.unsqueeze(1));
    }

    /** Runs {@link #forward(Tensor, int)} through the forward hooks. */
    public final Tensor call(Tensor x, int offset) {
        return callWithHooks(a -> forward((Tensor) a[0], (Integer) a[1]), x, offset);
    }

    @Override
    protected String extraRepr() {
        return dModel + ", maxLen=" + maxLen + ", batchFirst=" + batchFirst;
    }

    /** Shape checks shared by the position encodings. */
    static final class PositionChecks {
        private PositionChecks() {}

        /** T of x (B, T, D) or (T, B, D), checked against D, maxLen and the offset. */
        static int sequenceLength(String layer, Tensor x, int d, int maxLen, int offset, boolean batchFirst) {
            if (x.dim() != 3 || x.size(2) != d) {
                throw new IllegalArgumentException(layer + ": expected input " + (batchFirst ? "(B, T, " : "(T, B, ")
                        + d + "), got " + Shape.str(TensorInternals.shapeRef(x)));
            }
            int t = x.size(batchFirst ? 1 : 0);
            if (offset < 0 || (long) offset + t > maxLen) {
                throw new IllegalArgumentException(
                        layer + ": positions " + offset + " .. " + (offset + t - 1) + " exceed maxLen " + maxLen);
            }
            return t;
        }
    }
}
