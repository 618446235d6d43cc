package dev.torchlet.text.models;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Embedding;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.LayerNorm;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ModuleList;
import dev.torchlet.nn.functional.F;
import dev.torchlet.text.generation.PastKeyValues;

/**
 * GPT-2's transformer without the language-model head (HF's {@code GPT2Model}): token ids to the
 * last hidden state.
 *
 * <pre>
 *   ids (B, T) int64
 *   wte(ids) + wpe(positions), dropout(embd_pdrop)     (B, T, E)
 *   h.0 .. h.{n_layer-1}: GPT2Block                     (B, T, E)
 *   ln_f                                                (B, T, E)
 * </pre>
 *
 * <p>Positions are T_past .. T_past + T - 1 without an attention mask. With one (B, T_past + T), 0 on
 * left padding, they are HF's for generation: cumsum(mask) - 1 over the whole sequence (1 on padding),
 * so every sequence's first real token is at position 0; padded keys are masked out.
 *
 * <p>State dict (HF's names): {@code wte.weight, wpe.weight, h.{i}.ln_1, h.{i}.attn.c_attn,
 * h.{i}.attn.c_proj, h.{i}.ln_2, h.{i}.mlp.c_fc, h.{i}.mlp.c_proj, ln_f}; Conv1D weights are (in, out).
 */
public final class GPT2Model extends Module {
    private final GPT2Config config;

    /** A model with HF's initialization: N(0, 0.02^2) weights, LayerNorm 1 and 0, zero biases. */
    public GPT2Model(GPT2Config config) {
        this.config = config;
        Embedding wte = registerModule("wte", new Embedding(config.vocabSize(), config.nEmbd()));
        Embedding wpe = registerModule("wpe", new Embedding(config.nPositions(), config.nEmbd()));
        Init.normal(wte.weight(), 0, 0.02);
        Init.normal(wpe.weight(), 0, 0.02);
        ModuleList h = registerModule("h", new ModuleList());
        for (int i = 0; i < config.nLayer(); i++) {
            h.add(new GPT2Block(config));
        }
        registerModule("ln_f", new LayerNorm(new int[] {config.nEmbd()}, config.layerNormEpsilon(), true));
    }

    public GPT2Config config() {
        return config;
    }

    /** Last hidden state (B, T, E) of ids (B, T), causal, no padding, no cache. */
    @Override
    public Tensor forward(Tensor ids) {
        return hidden(ids, null, null);
    }

    /**
     * Last hidden state (B, T, E) of the new tokens.
     *
     * @param ids           int64 (B, T)
     * @param attentionMask (B, T_past + T), 1 on tokens and 0 on padding, or null
     * @param past          cache of the earlier tokens (extended in place), or null
     */
    public Tensor call(Tensor ids, Tensor attentionMask, PastKeyValues past) {
        return callWithHooks(a -> hidden((Tensor) a[0], (Tensor) a[1], (PastKeyValues) a[2]), ids, attentionMask, past);
    }

    private Tensor hidden(Tensor ids, Tensor attentionMask, PastKeyValues past) {
        checkIds(ids, config.vocabSize(), "GPT2");
        int b = ids.size(0);
        int t = ids.size(1);
        int pastLen = past == null ? 0 : past.length();
        if (past != null && past.layers() != config.nLayer()) {
            throw new IllegalArgumentException(
                    "GPT2: the cache has " + past.layers() + " layers, the model " + config.nLayer());
        }
        if (pastLen > 0 && past.keys(0).size(0) != b) {
            throw new IllegalArgumentException("GPT2: the cache holds "
                    + past.keys(0).size(0) + " sequences but ids " + Shape.str(ids.shape()) + " has " + b);
        }
        if (pastLen + t > config.nPositions()) {
            throw new IllegalArgumentException("GPT2: a sequence of " + (pastLen + t) + " tokens ("
                    + (pastLen > 0 ? pastLen + " cached + " + t + " new" : "ids " + Shape.str(ids.shape()))
                    + ") is longer than n_positions " + config.nPositions());
        }
        long[][] keyMask = attentionMask == null ? null : keyMask(attentionMask, b, pastLen + t, "GPT2");
        int rows = keyMask == null ? 1 : b; // without padding every row has the same positions: broadcast one
        long[] pos = new long[rows * t];
        for (int r = 0; r < rows; r++) {
            if (keyMask == null) {
                for (int i = 0; i < t; i++) {
                    pos[r * t + i] = pastLen + i;
                }
            } else {
                long cum = 0;
                for (int j = 0; j < pastLen + t; j++) {
                    cum += keyMask[r][j];
                    if (j >= pastLen) {
                        pos[r * t + j - pastLen] = keyMask[r][j] == 0 ? 1 : cum - 1;
                    }
                }
            }
        }
        Tensor x = child("wte").call(ids).add(child("wpe").call(Torch.tensor(pos, rows, t))); // (B, T, E)
        x = F.dropout(x, config.embdPdrop(), isTraining());
        // one new token without padding sees every earlier one: no mask (nothing allocated per step)
        Tensor mask = t == 1 && keyMask == null ? null : GPT2Attention.causalMask(t, pastLen, keyMask);
        ModuleList h = child("h", ModuleList.class);
        for (int i = 0; i < h.size(); i++) {
            if (!(h.get(i) instanceof GPT2Block block)) {
                throw new IllegalStateException("GPT2: h." + i + " must be a GPT2Block, got " + h.get(i));
            }
            x = block.call(x, mask, past, i);
        }
        return child("ln_f").call(x);
    }

    /** Checks int64 (B, T) ids with every id in [0, vocab), naming the first bad one. */
    static void checkIds(Tensor ids, int vocab, String who) {
        if (ids.dtype() != DType.INT64 || ids.dim() != 2 || ids.size(0) < 1 || ids.size(1) < 1) {
            throw new IllegalArgumentException(who + ": expected int64 token ids (B, T) with B, T >= 1, got "
                    + ids.dtype() + " " + Shape.str(ids.shape()));
        }
        long[] v = ids.toLongArray();
        int t = ids.size(1);
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] >= vocab) {
                throw new IllegalArgumentException(who + ": token id " + v[i] + " at [" + i / t + ", " + i % t
                        + "] is out of range for vocab_size " + vocab + " (ids must be in [0, " + vocab + "))");
            }
        }
    }

    /** A 0/1 mask (B, length) of any dtype as rows, or a clear error. */
    static long[][] keyMask(Tensor mask, int b, int length, String who) {
        if (mask.dim() != 2 || mask.size(0) != b || mask.size(1) != length) {
            throw new IllegalArgumentException(who + ": expected an attention mask of shape [" + b + ", " + length
                    + "] (batch, cached + new tokens), got " + Shape.str(mask.shape()));
        }
        double[] v = mask.toDoubleArray();
        long[][] rows = new long[b][length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0 && v[i] != 1) {
                throw new IllegalArgumentException(who + ": attention mask values must be 0 or 1, got " + v[i] + " at ["
                        + i / length + ", " + i % length + "]");
            }
            rows[i / length][i % length] = (long) v[i];
        }
        return rows;
    }
}
