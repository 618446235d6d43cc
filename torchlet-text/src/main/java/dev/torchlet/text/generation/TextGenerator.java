package dev.torchlet.text.generation;

import dev.torchlet.Generator;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Arrays;

/**
 * Continues prompts with a {@link CausalLM}: greedy or sampled (temperature, top-k, top-p), repetition
 * penalty, stop tokens, a token budget, tokens streamed to a {@link TokenListener}, and batches of
 * prompts of different lengths (left-padded, with an attention mask and HF's position ids).
 *
 * <pre>{@code
 * var gen = new TextGenerator(GPT2.fromPretrained(dir));
 * int[] next = gen.generate(tokenizer.encode("Hello"), GenerationConfig.sampling(40, 0.8f, 50, 0.95f).withSeed(1));
 * }</pre>
 *
 * <p>Per step, as HF's {@code generate}: the last position's logits, the processors of
 * {@link LogitsProcessors#of(GenerationConfig)}, then argmax (greedy) or a draw from the softmax with the
 * seeded generator. A sequence that produced a stop token is finished (the stop token is its last
 * output); finished sequences are fed the pad id until all are finished or the budget is spent.
 */
public final class TextGenerator {
    private final CausalLM model;

    public TextGenerator(CausalLM model) {
        this.model = model;
    }

    /** The new tokens (at most maxNewTokens, ending with a stop token if one came) after one prompt. */
    public int[] generate(int[] prompt, GenerationConfig config) {
        return generate(new int[][] {prompt}, config, null)[0];
    }

    /** The same, streaming each token to listener as it is chosen. */
    public int[] generate(int[] prompt, GenerationConfig config, TokenListener listener) {
        return generate(new int[][] {prompt}, config, listener)[0];
    }

    /**
     * The new tokens of each prompt, computed as one left-padded batch.
     *
     * @param prompts  token ids per sequence, each non-empty, of any lengths
     * @param listener receives (sequence, token) for every new token, or null
     */
    public int[][] generate(int[][] prompts, GenerationConfig config, TokenListener listener) {
        int b = prompts.length;
        if (b == 0) {
            throw new IllegalArgumentException("generate: no prompts");
        }
        int longest = 0;
        for (int i = 0; i < b; i++) {
            if (prompts[i] == null || prompts[i].length == 0) {
                throw new IllegalArgumentException(
                        "generate: prompt " + i + " is empty (give at least one token, " + "e.g. a BOS/EOS id)");
            }
            for (int t : prompts[i]) {
                if (t < 0 || t >= model.vocabSize()) {
                    throw new IllegalArgumentException("generate: token id " + t + " in prompt " + i
                            + " is out of range for vocab_size " + model.vocabSize());
                }
            }
            longest = Math.max(longest, prompts[i].length);
        }
        int total = longest + config.maxNewTokens();
        if (total > model.maxPositions()) {
            throw new IllegalArgumentException(
                    "generate: the longest prompt (" + longest + " tokens) plus maxNewTokens "
                            + config.maxNewTokens() + " is " + total + ", more than the model's " + model.maxPositions()
                            + " positions");
        }
        int vocab = model.vocabSize();
        LogitsProcessor processors = LogitsProcessors.of(config);
        Generator rng = config.seed() == null ? Torch.defaultGenerator() : new Generator(config.seed());
        boolean padded = false;
        long[] ids = new long[b * total];
        long[] mask = new long[b * total];
        int[][] seqs = new int[b][]; // prompt and new tokens, room for all: filled up to seqLen
        int[] seqLen = new int[b];
        for (int i = 0; i < b; i++) {
            int start = longest - prompts[i].length;
            padded |= start > 0;
            Arrays.fill(ids, i * total, i * total + start, config.padTokenId());
            for (int j = 0; j < prompts[i].length; j++) {
                ids[i * total + start + j] = prompts[i][j];
                mask[i * total + start + j] = 1;
            }
            seqs[i] = Arrays.copyOf(prompts[i], prompts[i].length + config.maxNewTokens());
            seqLen[i] = prompts[i].length;
        }
        int[][] out = new int[b][config.maxNewTokens()];
        int[] produced = new int[b];
        boolean[] finished = new boolean[b];
        PastKeyValues past = config.useCache() ? model.newCache(total) : null;
        boolean needsHistory = config.repetitionPenalty() != 1f; // the only built-in processor that reads tokens
        float[] row = new float[vocab];
        try (var g = Torch.noGrad()) {
            int length = longest;
            for (int step = 0; step < config.maxNewTokens(); step++) {
                int from = past == null || step == 0 ? 0 : length - 1; // positions fed this step
                Tensor input = columns(ids, b, total, from, length);
                Tensor m = padded ? columns(mask, b, total, 0, length) : null;
                Tensor logits = model.logits(input, m, past); // (B, length - from, V)
                float[] last = logits.select(1, length - from - 1).contiguous().toFloatArray(); // (B, V)
                boolean all = true;
                for (int i = 0; i < b; i++) {
                    int token = config.padTokenId();
                    if (!finished[i]) {
                        System.arraycopy(last, i * vocab, row, 0, vocab);
                        processors.process(needsHistory ? Arrays.copyOf(seqs[i], seqLen[i]) : seqs[i], row);
                        token = config.doSample() ? sample(row, rng) : argmax(row);
                        out[i][produced[i]++] = token;
                        seqs[i][seqLen[i]++] = token;
                        if (listener != null) {
                            listener.onToken(i, token);
                        }
                        finished[i] = config.isStop(token);
                    }
                    all &= finished[i];
                    ids[i * total + length] = token;
                    mask[i * total + length] = 1;
                }
                length++;
                if (all) {
                    break;
                }
            }
        }
        for (int i = 0; i < b; i++) {
            out[i] = Arrays.copyOf(out[i], produced[i]);
        }
        return out;
    }

    /** Columns [from, to) of a row-major (B, total) array as an int64 (B, to - from) tensor. */
    private static Tensor columns(long[] a, int b, int total, int from, int to) {
        long[] c = new long[b * (to - from)];
        for (int i = 0; i < b; i++) {
            System.arraycopy(a, i * total + from, c, i * (to - from), to - from);
        }
        return Torch.tensor(c, b, to - from);
    }

    /** The first index of the highest score (torch.argmax's choice on ties). */
    static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    /** A draw from softmax(scores) (-inf entries have probability 0). */
    static int sample(float[] scores, Generator rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        for (float s : scores) {
            sum += Math.exp(s - max);
        }
        double u = rng.nextDouble() * sum;
        double c = 0;
        int lastPossible = 0;
        for (int i = 0; i < scores.length; i++) {
            double p = Math.exp(scores[i] - max);
            if (p > 0) {
                lastPossible = i;
                c += p;
                if (u < c) {
                    return i;
                }
            }
        }
        return lastPossible; // rounding: the last token with any probability
    }
}
