package dev.torchlet.text.models;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.text.BatchEncoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BERT encoder (HF's {@code BertModel}): token ids to the last hidden state and the pooler output.
 *
 * <pre>
 *   ids, token_type_ids (B, T) int64, attention mask (B, T) 1/0
 *   embeddings: LayerNorm(word + position + token type)          (B, T, H)
 *   encoder.layer.0 .. {n-1}: BertLayer, padded keys masked out   (B, T, H)  last hidden state
 *   pooler: tanh(dense(hidden[:, 0]))                             (B, H)
 * </pre>
 *
 * <p>Sentence embeddings as sentence-transformers computes them: {@link #meanPool(Tensor, Tensor)} (mean of
 * the hidden states of real tokens) and {@link #clsPool(Tensor)} (the [CLS] token's hidden state).
 *
 * <p>State dict: HF BertModel's names ({@code embeddings.word_embeddings.weight, ...,
 * encoder.layer.{i}.attention.self.query, ..., pooler.dense}). {@link #fromPretrained(Path)} also takes
 * files saved from BertFor* heads ({@code bert.} prefix; {@code cls.*} heads ignored), the old
 * {@code gamma}/{@code beta} LayerNorm names, and files without a pooler (kept at its initialization).
 */
public final class Bert extends Module {
    private final BertConfig config;

    /** Sequence outputs of BERT. */
    public record Output(Tensor lastHiddenState, Tensor poolerOutput) {}

    /** A model with HF's initialization: N(0, 0.02^2) weights, zero biases, LayerNorm 1 and 0. */
    public Bert(BertConfig config) {
        this.config = config;
        registerModule("embeddings", new BertEmbeddings(config), BertEmbeddings.class);
        registerModule("encoder", new BertEncoder(config), BertEncoder.class);
        registerModule("pooler", new BertPooler(config));
        for (var e : namedParameters().entrySet()) {
            String k = e.getKey();
            if (k.endsWith("LayerNorm.weight")) {
                dev.torchlet.nn.Init.ones(e.getValue());
            } else if (k.endsWith(".bias")) {
                dev.torchlet.nn.Init.zeros(e.getValue());
            } else {
                dev.torchlet.nn.Init.normal(e.getValue(), 0, 0.02);
            }
        }
        try (var g = Torch.noGrad()) {
            Tensor words = getParameter("embeddings.word_embeddings.weight");
            if (words != null) {
                words.select(0, config.padTokenId()).copyFrom(Torch.zeros(config.hiddenSize()));
            }
        }
    }

    /**
     * A BERT of the shape a Hugging Face folder's {@code config.json} gives, with fresh (untrained) weights, for
     * code that loads the weights itself later (e.g. once per Spark executor). Refused, before anything is
     * allocated, when the config describes a far larger model than the folder's weight file can hold.
     */
    public static Bert fromConfigOf(Path hfDir) throws IOException {
        BertConfig config = BertConfig.fromJson(hfDir.resolve(HfFolder.CONFIG));
        HfFolder.checkSizeOnDisk(config.parameterCount(), hfDir, "Bert.fromConfigOf(" + hfDir + ")", config);
        return new Bert(config);
    }

    /**
     * Loads a Hugging Face BERT folder: {@code config.json} and {@code model.safetensors} (or
     * {@code pytorch_model.bin}); the model is in eval mode. Weights that do not fit the config fail
     * with the keys and shapes.
     */
    public static Bert fromPretrained(Path hfDir) throws IOException {
        BertConfig config = BertConfig.fromJson(hfDir.resolve(HfFolder.CONFIG));
        String who = "Bert.fromPretrained(" + hfDir + ")";
        Map<String, Tensor> weights = HfFolder.readWeights(hfDir);
        HfFolder.checkSize(config.parameterCount(), weights, who, config);
        Bert model = new Bert(config);
        Map<String, Tensor> own = model.stateDict();
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (var e : weights.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("bert.")) {
                k = k.substring(5);
            }
            if (k.startsWith("cls.") || k.equals("embeddings.position_ids")) {
                continue; // pre-training heads; HF's (older, persistent) position ids buffer
            }
            if (k.endsWith(".gamma")) {
                k = k.substring(0, k.length() - 5) + "weight";
            } else if (k.endsWith(".beta")) {
                k = k.substring(0, k.length() - 4) + "bias";
            }
            state.put(k, e.getValue());
        }
        if (!state.containsKey("pooler.dense.weight") && !state.containsKey("pooler.dense.bias")) {
            state.put("pooler.dense.weight", own.get("pooler.dense.weight"));
            state.put("pooler.dense.bias", own.get("pooler.dense.bias"));
        }
        HfFolder.load(model, state, who, config);
        model.eval();
        return model;
    }

    /** Saves {@code config.json} and {@code model.safetensors} with BertModel's names. */
    public void save(Path hfDir) throws IOException {
        HfFolder.write(hfDir, config.toJson(), stateDict());
    }

    public BertConfig config() {
        return config;
    }

    /** Last hidden state (B, T, H) of ids (B, T) int64: one segment, no padding. */
    @Override
    public Tensor forward(Tensor ids) {
        return encode(ids, null, null).lastHiddenState();
    }

    /**
     * The last hidden state and the pooler output.
     *
     * @param ids           int64 (B, T)
     * @param tokenTypeIds  int64 (B, T) segment ids, or null for all 0
     * @param attentionMask (B, T), 1 on tokens and 0 on padding, or null for none
     */
    public Output call(Tensor ids, Tensor tokenTypeIds, Tensor attentionMask) {
        return callWithHooks(
                a -> encode((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), ids, tokenTypeIds, attentionMask);
    }

    /** {@link #call(Tensor, Tensor, Tensor)} on a tokenizer's batch (ids and attention mask, segment 0). */
    public Output call(BatchEncoding batch) {
        return call(batch.inputIds(), null, batch.attentionMask());
    }

    /** Mean-pooled sentence embeddings (B, H) of a batch, as sentence-transformers' default pooling. */
    public Tensor meanPooledEmbeddings(BatchEncoding batch) {
        return meanPool(call(batch).lastHiddenState(), batch.attentionMask());
    }

    /** [CLS] sentence embeddings (B, H) of a batch: each sequence's first hidden state. */
    public Tensor clsEmbeddings(BatchEncoding batch) {
        return clsPool(call(batch).lastHiddenState());
    }

    /**
     * sentence-transformers' mean pooling: sum(hidden * mask) / max(sum(mask), 1e-9) over the tokens.
     *
     * @param hidden (B, T, H)
     * @param mask   (B, T) 1/0, or null for every token
     * @return (B, H)
     */
    public static Tensor meanPool(Tensor hidden, Tensor mask) {
        if (hidden.dim() != 3) {
            throw new IllegalArgumentException(
                    "meanPool: expected hidden states (B, T, H), got " + Shape.str(hidden.shape()));
        }
        if (mask == null) {
            return hidden.mean(1, false);
        }
        if (mask.dim() != 2 || mask.size(0) != hidden.size(0) || mask.size(1) != hidden.size(1)) {
            throw new IllegalArgumentException("meanPool: expected a mask of shape [" + hidden.size(0) + ", "
                    + hidden.size(1) + "], got " + Shape.str(mask.shape()));
        }
        Tensor m = mask.to(hidden.dtype()).unsqueeze(-1); // (B, T, 1)
        return hidden.mul(m).sum(1, false).div(m.sum(1, false).clampMin(1e-9f));
    }

    /** The [CLS] token's hidden state: hidden (B, T, H) -> (B, H). */
    public static Tensor clsPool(Tensor hidden) {
        if (hidden.dim() != 3) {
            throw new IllegalArgumentException(
                    "clsPool: expected hidden states (B, T, H), got " + Shape.str(hidden.shape()));
        }
        return hidden.select(1, 0);
    }

    private Output encode(Tensor ids, Tensor tokenTypeIds, Tensor attentionMask) {
        GPT2Model.checkIds(ids, config.vocabSize(), "Bert");
        int b = ids.size(0);
        int t = ids.size(1);
        if (t > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("Bert: a sequence of " + t + " tokens (ids " + Shape.str(ids.shape())
                    + ") is longer than max_position_embeddings " + config.maxPositionEmbeddings());
        }
        if (tokenTypeIds != null) {
            if (!java.util.Arrays.equals(tokenTypeIds.shape(), ids.shape())) {
                throw new IllegalArgumentException("Bert: token_type_ids " + Shape.str(tokenTypeIds.shape())
                        + " must have the shape of ids " + Shape.str(ids.shape()));
            }
            GPT2Model.checkIds(tokenTypeIds, config.typeVocabSize(), "Bert token_type_ids");
        }
        Tensor mask = null;
        if (attentionMask != null) {
            long[][] keys = GPT2Model.keyMask(attentionMask, b, t, "Bert");
            float[] m = new float[b * t * t];
            for (int r = 0; r < b; r++) {
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        m[(r * t + i) * t + j] = keys[r][j] == 0 ? GPT2Attention.MASKED : 0f;
                    }
                }
            }
            mask = Torch.tensor(m, b, t, t); // HF's (1 - mask) * finfo.min, over every query
        }
        Tensor x = child("embeddings", BertEmbeddings.class).call(ids, tokenTypeIds);
        Tensor hidden = child("encoder", BertEncoder.class).call(x, mask);
        return new Output(hidden, child("pooler").call(hidden));
    }
}
