package dev.torchlet.text.models;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.text.generation.PastKeyValues;

/**
 * GPT-2's causal self-attention (HF's {@code GPT2Attention}): c_attn projects to Q, K and V at once
 * (Conv1D E -> 3E), heads attend with softmax(Q K^T / sqrt(E / heads) + mask) V, c_proj merges them.
 *
 * <pre>
 *   x (B, T, E) -> c_attn (B, T, 3E) -> q, k, v (B, T, E) each
 *   with a cache: k, v = cached (B, T_past, E) ++ new                (B, T_past + T, E)
 *   fused attention per head, additive mask (1 or B, T, T_past + T)  (B, T, E)
 *   c_proj, dropout(resid_pdrop)                                      (B, T, E)
 * </pre>
 */
public final class GPT2Attention extends Module {
    /** The additive value of a masked position (HF's {@code torch.finfo(float32).min}). */
    static final float MASKED = -Float.MAX_VALUE;

    private final GPT2Config config;

    public GPT2Attention(GPT2Config config) {
        this.config = config;
        registerModule("c_attn", new GPT2Conv1D(config.nEmbd(), 3 * config.nEmbd()));
        registerModule("c_proj", new GPT2Conv1D(config.nEmbd(), config.nEmbd()));
    }

    /** Causal self-attention over x (B, T, E) alone. */
    @Override
    public Tensor forward(Tensor x) {
        return attend(x, null, null, 0);
    }

    /**
     * Attention of x's tokens to the cached ones and to each other.
     *
     * @param x     (B, T, E)
     * @param mask  additive (1 or B, T, T_past + T), causal and padding together; null: causal
     * @param past  the cache (layer {@code layer} is read and extended) or null
     */
    public Tensor call(Tensor x, Tensor mask, PastKeyValues past, int layer) {
        return callWithHooks(
                a -> attend((Tensor) a[0], (Tensor) a[1], (PastKeyValues) a[2], (Integer) a[3]), x, mask, past, layer);
    }

    private Tensor attend(Tensor x, Tensor mask, PastKeyValues past, int layer) {
        int e = config.nEmbd();
        if (x.dim() != 3 || x.size(2) != e) {
            throw new IllegalArgumentException(
                    "GPT2Attention: expected input (B, T, " + e + "), got " + Shape.str(x.shape()));
        }
        int b = x.size(0);
        int t = x.size(1);
        int pastLen = past == null ? 0 : past.length();
        if (mask == null && t > 1) {
            mask = causalMask(t, pastLen, null); // one new token may see every cached one: no mask needed
        }
        Tensor qkv = child("c_attn").call(x).reshape(b * t, 3 * e); // (B*T, 3E)
        Tensor q = qkv.narrow(1, 0, e);
        Tensor k = qkv.narrow(1, e, e);
        Tensor v = qkv.narrow(1, 2 * e, e);
        Tensor o;
        if (past != null && past.isPreallocated() && b > 1) {
            // the filled prefix of a (B, capacity, E) buffer: row r's keys are contiguous, the batch is not;
            // attend row by row to read them in place instead of copying the whole context
            Tensor[] kv = past.append(layer, k.reshape(b, t, e), v.reshape(b, t, e)); // views (B, T_past + T, E)
            Tensor[] rows = new Tensor[b];
            for (int r = 0; r < b; r++) {
                Tensor rowMask = mask == null || mask.size(0) == 1 ? mask : mask.narrow(0, r, 1);
                rows[r] = F.multiHeadAttention(
                        q.narrow(0, r * t, t),
                        kv[0].select(0, r),
                        kv[1].select(0, r),
                        1,
                        config.nHead(),
                        rowMask,
                        config.attnPdrop(),
                        isTraining());
            }
            o = Torch.cat(java.util.List.of(rows), 0); // (B*T, E)
        } else {
            if (past != null) {
                Tensor[] kv = past.append(layer, k.reshape(b, t, e), v.reshape(b, t, e)); // (B, T_past + T, E)
                k = kv[0].reshape(-1, e); // a view when B == 1 or the cache grows by concatenation
                v = kv[1].reshape(-1, e);
            }
            o = F.multiHeadAttention(q, k, v, b, config.nHead(), mask, config.attnPdrop(), isTraining());
        }
        o = child("c_proj").call(o.reshape(b, t, e));
        return F.dropout(o, config.residPdrop(), isTraining());
    }

    /**
     * The additive mask of T new tokens after pastLen cached ones: query i may see key j when
     * j <= pastLen + i and, with a key mask, keyMask[b][j] == 1.
     *
     * @param keyMask 0/1 per sequence and key, length B * (pastLen + T) row-major, or null
     * @return (1, T, pastLen + T) without a key mask, (B, T, pastLen + T) with one
     */
    static Tensor causalMask(int t, int pastLen, long[][] keyMask) {
        int tk = pastLen + t;
        int rows = keyMask == null ? 1 : keyMask.length;
        float[] m = new float[rows * t * tk];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < t; i++) {
                int base = (r * t + i) * tk;
                for (int j = 0; j < tk; j++) {
                    boolean allowed = j <= pastLen + i && (keyMask == null || keyMask[r][j] != 0);
                    m[base + j] = allowed ? 0f : MASKED;
                }
            }
        }
        return Torch.tensor(m, rows, t, tk);
    }
}
