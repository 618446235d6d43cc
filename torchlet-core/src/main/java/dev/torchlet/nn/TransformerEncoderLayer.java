package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * One Transformer encoder block, as torch.nn.TransformerEncoderLayer (same child names:
 * self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2). Post-norm by default:
 * <pre>
 *   x = norm1(x + dropout1(self_attn(x)))
 *   x = norm2(x + dropout2(linear2(dropout(act(linear1(x))))))
 * </pre>
 * normFirst applies each norm before its sub-block instead.
 */
public class TransformerEncoderLayer extends Module {
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final boolean gelu;
    private final boolean normFirst;

    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward) {
        this(dModel, nHead, dimFeedforward, 0.1, "relu", 1e-5, false, false);
    }

    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst) {
        if (!activation.equals("relu") && !activation.equals("gelu")) {
            throw new IllegalArgumentException("TransformerEncoderLayer: activation must be 'relu' or 'gelu', got '"
                    + activation + "'");
        }
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nHead, dropout, true, batchFirst));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel));
        this.norm1 = registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout));
        this.gelu = activation.equals("gelu");
        this.normFirst = normFirst;
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null);
    }

    /** With an optional attention mask (Tq, Tk) and key padding mask (B, T), as in MultiheadAttention. */
    public Tensor forward(Tensor x, Tensor attnMask, Tensor keyPaddingMask) {
        if (normFirst) {
            x = x.add(selfAttention(norm1.call(x), attnMask, keyPaddingMask));
            return x.add(feedForward(norm2.call(x)));
        }
        x = norm1.call(x.add(selfAttention(x, attnMask, keyPaddingMask)));
        return norm2.call(x.add(feedForward(x)));
    }

    private Tensor selfAttention(Tensor x, Tensor attnMask, Tensor keyPaddingMask) {
        return dropout1.call(selfAttn.forward(x, x, x, attnMask, keyPaddingMask, false).output());
    }

    private Tensor feedForward(Tensor x) {
        // as (rows, dModel): 2-D products, so each weight gradient is one GEMM (not a per-batch stack
        // summed afterwards)
        int[] shape = x.shape();
        Tensor h = linear1.call(x.reshape(-1, shape[shape.length - 1]));
        h = gelu ? F.gelu(h) : F.relu(h);
        return dropout2.call(linear2.call(dropout.call(h))).reshape(shape);
    }
}
