package dev.torchlet.text.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * GPT-2's sizes and settings, with the names of Hugging Face's {@code config.json}.
 *
 * @param vocabSize           {@code vocab_size}: rows of wte (50257 for OpenAI's GPT-2)
 * @param nPositions          {@code n_positions}: rows of wpe, the longest sequence
 * @param nEmbd               {@code n_embd}: width E
 * @param nLayer              {@code n_layer}: blocks
 * @param nHead               {@code n_head}: attention heads; divides nEmbd
 * @param nInner              {@code n_inner}: MLP width (HF's null: 4 E)
 * @param layerNormEpsilon    {@code layer_norm_epsilon}
 * @param activationFunction  {@code activation_function}: "gelu_new" (tanh approximation, GPT-2's),
 *                            "gelu_pytorch_tanh" (the same), "gelu" (exact) or "relu"
 * @param embdPdrop           {@code embd_pdrop}: dropout after the embeddings (training only)
 * @param attnPdrop           {@code attn_pdrop}: dropout on the attention weights
 * @param residPdrop          {@code resid_pdrop}: dropout on each block's attention and MLP outputs
 */
public record GPT2Config(
        int vocabSize,
        int nPositions,
        int nEmbd,
        int nLayer,
        int nHead,
        int nInner,
        double layerNormEpsilon,
        String activationFunction,
        double embdPdrop,
        double attnPdrop,
        double residPdrop) {
    static final Set<String> ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu", "relu");

    public GPT2Config {
        if (vocabSize < 1 || nPositions < 1 || nEmbd < 1 || nLayer < 1 || nHead < 1 || nInner < 1) {
            throw new IllegalArgumentException("GPT2Config: vocab_size, n_positions, n_embd, n_layer, n_head and "
                    + "n_inner must be positive, got " + vocabSize + ", " + nPositions + ", " + nEmbd + ", " + nLayer
                    + ", " + nHead + ", " + nInner);
        }
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("GPT2Config: n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        if (!(layerNormEpsilon > 0)) {
            throw new IllegalArgumentException(
                    "GPT2Config: layer_norm_epsilon must be positive, got " + layerNormEpsilon);
        }
        if (!ACTIVATIONS.contains(activationFunction)) {
            throw new IllegalArgumentException("GPT2Config: activation_function '" + activationFunction
                    + "' is not supported (expected one of " + ACTIVATIONS + ")");
        }
        for (double p : new double[] {embdPdrop, attnPdrop, residPdrop}) {
            if (!(p >= 0 && p < 1)) {
                throw new IllegalArgumentException("GPT2Config: dropout probabilities must be in [0, 1), got "
                        + embdPdrop + ", " + attnPdrop + ", " + residPdrop);
            }
        }
    }

    /** HF's defaults for the rest: MLP width 4 E, eps 1e-5, gelu_new, dropout 0.1. */
    public static GPT2Config of(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead) {
        return new GPT2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, 4 * nEmbd, 1e-5, "gelu_new", 0.1, 0.1, 0.1);
    }

    /** OpenAI's GPT-2 small (124M): 50257 tokens, 1024 positions, 768 wide, 12 layers, 12 heads. */
    public static GPT2Config gpt2Small() {
        return of(50257, 1024, 768, 12, 12);
    }

    /** The same sizes with every dropout probability set to p. */
    public GPT2Config withDropout(double p) {
        return new GPT2Config(
                vocabSize, nPositions, nEmbd, nLayer, nHead, nInner, layerNormEpsilon, activationFunction, p, p, p);
    }

    /**
     * Parameters of the model this config describes, as a double (a config read from a file may claim more than a
     * long holds), the LM head tied to wte. With E wide, I the MLP width, V + P embedding rows and L blocks:
     * (V + P) E, 4E^2 + 2EI + 9E + I per block, 2E for the final LayerNorm.
     */
    public double parameterCount() {
        double e = nEmbd;
        double block = 4 * e * e + 2 * e * nInner + 9 * e + nInner;
        return ((double) vocabSize + nPositions) * e + nLayer * block + 2 * e;
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    /** Reads a Hugging Face {@code config.json} (missing optional keys take HF's defaults). */
    public static GPT2Config fromJson(Path configJson) throws IOException {
        JsonNode n = HfFolder.readJson(configJson);
        String where = "GPT2Config: " + configJson;
        if (n.path("scale_attn_by_inverse_layer_idx").asBoolean(false)
                || n.path("reorder_and_upcast_attn").asBoolean(false)
                || !n.path("scale_attn_weights").asBoolean(true)) {
            throw new IllegalArgumentException(where + ": scale_attn_by_inverse_layer_idx, reorder_and_upcast_attn "
                    + "and scale_attn_weights=false are not supported");
        }
        int nEmbd = HfFolder.requiredInt(n, "n_embd", where);
        JsonNode inner = n.get("n_inner");
        return new GPT2Config(
                HfFolder.requiredInt(n, "vocab_size", where),
                HfFolder.requiredInt(n, "n_positions", where),
                nEmbd,
                HfFolder.requiredInt(n, "n_layer", where),
                HfFolder.requiredInt(n, "n_head", where),
                inner == null || inner.isNull() ? 4 * nEmbd : inner.asInt(),
                n.path("layer_norm_epsilon").asDouble(1e-5),
                n.path("activation_function").asText("gelu_new"),
                n.path("embd_pdrop").asDouble(0.1),
                n.path("attn_pdrop").asDouble(0.1),
                n.path("resid_pdrop").asDouble(0.1));
    }

    /** This config as Hugging Face's {@code config.json} text. */
    public String toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("model_type", "gpt2");
        n.putArray("architectures").add("GPT2LMHeadModel");
        n.put("vocab_size", vocabSize);
        n.put("n_positions", nPositions);
        n.put("n_ctx", nPositions);
        n.put("n_embd", nEmbd);
        n.put("n_layer", nLayer);
        n.put("n_head", nHead);
        if (nInner == 4 * nEmbd) {
            n.putNull("n_inner");
        } else {
            n.put("n_inner", nInner);
        }
        n.put("layer_norm_epsilon", layerNormEpsilon);
        n.put("activation_function", activationFunction);
        n.put("embd_pdrop", embdPdrop);
        n.put("attn_pdrop", attnPdrop);
        n.put("resid_pdrop", residPdrop);
        return n.toPrettyString();
    }
}
