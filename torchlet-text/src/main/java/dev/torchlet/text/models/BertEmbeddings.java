package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Embedding;
import dev.torchlet.nn.LayerNorm;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;

/**
 * BERT's input embeddings (HF's {@code BertEmbeddings}): LayerNorm(word + position + token type),
 * then dropout. word_embeddings' row pad_token_id gets no gradient (PyTorch's padding_idx).
 */
public final class BertEmbeddings extends Module {
    private final BertConfig config;

    public BertEmbeddings(BertConfig config) {
        this.config = config;
        int h = config.hiddenSize();
        registerModule("word_embeddings", new Embedding(config.vocabSize(), h, config.padTokenId()));
        registerModule("position_embeddings", new Embedding(config.maxPositionEmbeddings(), h));
        registerModule("token_type_embeddings", new Embedding(config.typeVocabSize(), h));
        registerModule("LayerNorm", new LayerNorm(new int[] {h}, config.layerNormEps(), true));
    }

    /** ids (B, T) int64 with segment 0 everywhere. */
    @Override
    public Tensor forward(Tensor ids) {
        return embed(ids, null);
    }

    /** ids and tokenTypeIds (B, T) int64 (tokenTypeIds null: all 0) -> (B, T, H). */
    public Tensor call(Tensor ids, Tensor tokenTypeIds) {
        return callWithHooks(a -> embed((Tensor) a[0], (Tensor) a[1]), ids, tokenTypeIds);
    }

    private Tensor embed(Tensor ids, Tensor tokenTypeIds) {
        int b = ids.size(0);
        int t = ids.size(1);
        Tensor types = tokenTypeIds == null ? Torch.zeros(dev.torchlet.DType.INT64, b, t) : tokenTypeIds;
        Tensor x = child("word_embeddings").call(ids);
        x = x.add(child("token_type_embeddings").call(types));
        x = x.add(child("position_embeddings").call(Torch.arange(t).reshape(1, t)));
        x = child("LayerNorm").call(x);
        return F.dropout(x, config.hiddenDropoutProb(), isTraining());
    }
}
