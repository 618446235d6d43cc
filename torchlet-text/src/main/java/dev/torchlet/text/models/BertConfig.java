package dev.torchlet.text.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * A BERT encoder's sizes and settings, with the names of Hugging Face's {@code config.json}.
 *
 * @param vocabSize                 {@code vocab_size}
 * @param hiddenSize                {@code hidden_size}: width H
 * @param numHiddenLayers           {@code num_hidden_layers}
 * @param numAttentionHeads         {@code num_attention_heads}: divides H
 * @param intermediateSize          {@code intermediate_size}: feed-forward width
 * @param hiddenAct                 {@code hidden_act}: "gelu" (exact, BERT's), "gelu_new" or "relu"
 * @param hiddenDropoutProb         {@code hidden_dropout_prob} (training only)
 * @param attentionProbsDropoutProb {@code attention_probs_dropout_prob}
 * @param maxPositionEmbeddings     {@code max_position_embeddings}: the longest sequence
 * @param typeVocabSize             {@code type_vocab_size}: segment ids are in [0, typeVocabSize)
 * @param layerNormEps              {@code layer_norm_eps} (1e-12 for BERT)
 * @param padTokenId                {@code pad_token_id}: word_embeddings' padding index (no gradient)
 */
public record BertConfig(
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        double hiddenDropoutProb,
        double attentionProbsDropoutProb,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double layerNormEps,
        int padTokenId) {
    static final Set<String> ACTIVATIONS = Set.of("gelu", "gelu_new", "gelu_pytorch_tanh", "relu");

    public BertConfig {
        if (vocabSize < 1
                || hiddenSize < 1
                || numHiddenLayers < 1
                || numAttentionHeads < 1
                || intermediateSize < 1
                || maxPositionEmbeddings < 1
                || typeVocabSize < 1) {
            throw new IllegalArgumentException("BertConfig: vocab_size, hidden_size, num_hidden_layers, "
                    + "num_attention_heads, intermediate_size, max_position_embeddings and type_vocab_size must be "
                    + "positive, got " + vocabSize + ", " + hiddenSize + ", " + numHiddenLayers + ", "
                    + numAttentionHeads + ", " + intermediateSize + ", " + maxPositionEmbeddings + ", "
                    + typeVocabSize);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("BertConfig: hidden_size " + hiddenSize
                    + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        if (!ACTIVATIONS.contains(hiddenAct)) {
            throw new IllegalArgumentException("BertConfig: hidden_act '" + hiddenAct
                    + "' is not supported (expected one of " + ACTIVATIONS + ")");
        }
        if (!(hiddenDropoutProb >= 0 && hiddenDropoutProb < 1)
                || !(attentionProbsDropoutProb >= 0 && attentionProbsDropoutProb < 1)) {
            throw new IllegalArgumentException("BertConfig: dropout probabilities must be in [0, 1), got "
                    + hiddenDropoutProb + " and " + attentionProbsDropoutProb);
        }
        if (!(layerNormEps > 0) || padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException("BertConfig: layer_norm_eps must be positive and pad_token_id in [0, "
                    + vocabSize + "), got " + layerNormEps + " and " + padTokenId);
        }
    }

    /** HF's defaults for the rest: gelu, dropout 0.1, 512 positions, 2 segment types, eps 1e-12, pad id 0. */
    public static BertConfig of(
            int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize) {
        return new BertConfig(
                vocabSize,
                hiddenSize,
                numHiddenLayers,
                numAttentionHeads,
                intermediateSize,
                "gelu",
                0.1,
                0.1,
                512,
                2,
                1e-12,
                0);
    }

    /**
     * Parameters of the model this config describes, as a double (a config read from a file may claim more than a
     * long holds). With H hidden, I intermediate, V + P + T embedding rows and L layers: (V + P + T) H + 2H for the
     * embeddings, 4H^2 + 2HI + 9H + I per layer, H^2 + H for the pooler.
     */
    public double parameterCount() {
        double h = hiddenSize;
        double embeddings = ((double) vocabSize + maxPositionEmbeddings + typeVocabSize) * h + 2 * h;
        double layer = 4 * h * h + 2 * h * intermediateSize + 9 * h + intermediateSize;
        return embeddings + numHiddenLayers * layer + h * h + h;
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Reads a Hugging Face {@code config.json} (missing optional keys take HF's defaults). */
    public static BertConfig fromJson(Path configJson) throws IOException {
        JsonNode n = HfFolder.readJson(configJson);
        String where = "BertConfig: " + configJson;
        String positions = n.path("position_embedding_type").asText("absolute");
        if (!positions.equals("absolute")) {
            throw new IllegalArgumentException(
                    where + ": position_embedding_type '" + positions + "' is not supported (only 'absolute')");
        }
        return new BertConfig(
                HfFolder.requiredInt(n, "vocab_size", where),
                HfFolder.requiredInt(n, "hidden_size", where),
                HfFolder.requiredInt(n, "num_hidden_layers", where),
                HfFolder.requiredInt(n, "num_attention_heads", where),
                HfFolder.requiredInt(n, "intermediate_size", where),
                n.path("hidden_act").asText("gelu"),
                n.path("hidden_dropout_prob").asDouble(0.1),
                n.path("attention_probs_dropout_prob").asDouble(0.1),
                n.path("max_position_embeddings").asInt(512),
                n.path("type_vocab_size").asInt(2),
                n.path("layer_norm_eps").asDouble(1e-12),
                n.path("pad_token_id").asInt(0));
    }

    /** This config as Hugging Face's {@code config.json} text. */
    public String toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("model_type", "bert");
        n.putArray("architectures").add("BertModel");
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("intermediate_size", intermediateSize);
        n.put("hidden_act", hiddenAct);
        n.put("hidden_dropout_prob", hiddenDropoutProb);
        n.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("type_vocab_size", typeVocabSize);
        n.put("layer_norm_eps", layerNormEps);
        n.put("pad_token_id", padTokenId);
        n.put("position_embedding_type", "absolute");
        return n.toPrettyString();
    }
}
