package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Embedding;
import dev.torchlet.nn.Module;
import dev.torchlet.text.generation.CausalLM;
import dev.torchlet.text.generation.PastKeyValues;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GPT-2 with its language-model head (HF's {@code GPT2LMHeadModel}): token ids to next-token logits.
 *
 * <pre>
 *   ids (B, T) int64
 *   transformer: GPT2Model                     (B, T, E)
 *   lm_head: x wte^T (tied to transformer.wte)  (B, T, vocab)
 * </pre>
 *
 * <p>State dict: {@code transformer.*} (see {@link GPT2Model}) and {@code lm_head.weight}, the same
 * tensor as {@code transformer.wte.weight} (both keys, as PyTorch's {@code state_dict}; the parameter
 * once in {@code namedParameters}). {@link #fromPretrained(Path)} loads a Hugging Face folder
 * ({@code config.json} and {@code model.safetensors}) saved from GPT2LMHeadModel or GPT2Model, with or
 * without the {@code transformer.} prefix, with or without {@code lm_head.weight}.
 *
 * <p>For incremental decoding pass a {@link PastKeyValues} ({@link #newCache()}) to
 * {@link #call(Tensor, Tensor, PastKeyValues)}: each call returns the logits of the new tokens only.
 */
public final class GPT2 extends Module implements CausalLM {
    /** The causal-mask buffers HF's GPT-2 files carry and HF ignores on load. */
    private static final Pattern IGNORED = Pattern.compile("(transformer\\.)?h\\.\\d+\\.attn\\.(masked_)?bias");

    private final GPT2Config config;

    /** A model with HF's initialization. */
    public GPT2(GPT2Config config) {
        this.config = config;
        GPT2Model transformer = registerModule("transformer", new GPT2Model(config), GPT2Model.class);
        Tensor wte = ((Embedding) transformer.child("wte")).weight();
        registerModule("lm_head", new TiedLinear(wte));
    }

    /**
     * Loads a Hugging Face GPT-2 folder: {@code config.json} (n_layer, n_head, n_embd, n_positions,
     * vocab_size, layer_norm_epsilon, ...) and {@code model.safetensors} (or {@code pytorch_model.bin}).
     * The model is in eval mode. Weights that do not fit the config fail with the keys and shapes.
     */
    public static GPT2 fromPretrained(Path hfDir) throws IOException {
        GPT2Config config = GPT2Config.fromJson(hfDir.resolve(HfFolder.CONFIG));
        String who = "GPT2.fromPretrained(" + hfDir + ")";
        Map<String, Tensor> weights = HfFolder.readWeights(hfDir);
        HfFolder.checkSize(config.parameterCount(), weights, who, config);
        GPT2 model = new GPT2(config);
        Map<String, Tensor> state = new LinkedHashMap<>();
        Tensor lmHead = null;
        for (var e : weights.entrySet()) {
            String k = e.getKey();
            if (IGNORED.matcher(k).matches()) {
                continue;
            }
            if (k.equals("lm_head.weight")) {
                lmHead = e.getValue();
                continue;
            }
            state.put(k.startsWith("transformer.") ? k : "transformer." + k, e.getValue());
        }
        Tensor wte = state.get("transformer.wte.weight");
        if (wte == null && lmHead != null) {
            state.put("transformer.wte.weight", lmHead); // tied: either copy will do
        }
        state.put("lm_head.weight", state.getOrDefault("transformer.wte.weight", lmHead));
        if (state.get("lm_head.weight") == null) {
            state.remove("lm_head.weight");
        }
        HfFolder.load(model, state, who, config);
        model.eval();
        return model;
    }

    /**
     * Saves a Hugging Face folder: {@code config.json} and {@code model.safetensors} with
     * GPT2LMHeadModel's names ({@code transformer.*}; the tied lm_head.weight left out, as
     * {@code save_pretrained} does). {@link #fromPretrained(Path)} reads it back.
     */
    public void save(Path hfDir) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>(stateDict());
        state.remove("lm_head.weight");
        HfFolder.write(hfDir, config.toJson(), state);
    }

    public GPT2Config config() {
        return config;
    }

    public GPT2Model transformer() {
        return child("transformer", GPT2Model.class);
    }

    /** Logits (B, T, vocab) of ids (B, T) int64: causal, no padding, no cache. */
    @Override
    public Tensor forward(Tensor ids) {
        return logitsOf(ids, null, null);
    }

    /**
     * Logits (B, T, vocab) of the new tokens ids (B, T).
     *
     * @param attentionMask (B, T_past + T), 1 on tokens and 0 on left padding, or null
     * @param past          cache of earlier tokens ({@link #newCache()}), extended in place, or null
     */
    public Tensor call(Tensor ids, Tensor attentionMask, PastKeyValues past) {
        return callWithHooks(
                a -> logitsOf((Tensor) a[0], (Tensor) a[1], (PastKeyValues) a[2]), ids, attentionMask, past);
    }

    private Tensor logitsOf(Tensor ids, Tensor attentionMask, PastKeyValues past) {
        Tensor hidden = transformer().call(ids, attentionMask, past);
        return child("lm_head").call(hidden);
    }

    @Override
    public Tensor logits(Tensor ids, Tensor attentionMask, PastKeyValues past) {
        return call(ids, attentionMask, past);
    }

    @Override
    public PastKeyValues newCache() {
        return new PastKeyValues(config.nLayer());
    }

    /** A preallocated cache for capacity tokens per sequence (prompt plus new tokens). */
    @Override
    public PastKeyValues newCache(int capacity) {
        return PastKeyValues.preallocated(config.nLayer(), capacity);
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int maxPositions() {
        return config.nPositions();
    }
}
