package dev.torchlet.text.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import dev.torchlet.text.models.GPT2;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Logits processors against the PyTorch reference of HF's processors (tools/golden/gen_text_models.py,
 * fixed logits), and generation with the tiny random GPT-2: cache or not, batched or not, stop tokens,
 * streaming, seeded sampling and bad input.
 */
class GenerationTest {
    static final String FIX = "text_logits_processors";
    static GPT2 model;

    @BeforeAll
    static void load() throws IOException {
        model = GPT2.fromPretrained(Path.of("src/test/resources/golden/gpt2_tiny"));
    }

    /** Applies a processor to each row of the fixture's scores with the row's ids as the sequence. */
    static Tensor apply(LogitsProcessor p) {
        Tensor scores = Golden.get(FIX, "scores");
        int rows = scores.size(0);
        int v = scores.size(1);
        float[] s = scores.toFloatArray();
        long[] ids = Golden.get(FIX, "ids").toLongArray();
        int l = ids.length / rows;
        float[] out = new float[s.length];
        for (int r = 0; r < rows; r++) {
            float[] row = java.util.Arrays.copyOfRange(s, r * v, (r + 1) * v);
            int[] tokens = new int[l];
            for (int j = 0; j < l; j++) {
                tokens[j] = (int) ids[r * l + j];
            }
            p.process(tokens, row);
            System.arraycopy(row, 0, out, r * v, v);
        }
        return Torch.tensor(out, rows, v);
    }

    @Test
    void processorsMatchHuggingFacesFormulas() {
        Golden.assertClose(
                Golden.get(FIX, "repetition_penalty_1.3"),
                apply(LogitsProcessors.repetitionPenalty(1.3f)),
                1e-6,
                1e-6,
                "repetition penalty");
        Golden.assertClose(
                Golden.get(FIX, "temperature_0.7"),
                apply(LogitsProcessors.temperature(0.7f)),
                1e-6,
                1e-6,
                "temperature");
        Golden.assertClose(Golden.get(FIX, "top_k_5"), apply(LogitsProcessors.topK(5)), 0, 0, "top-k");
        Golden.assertClose(Golden.get(FIX, "top_p_0.8"), apply(LogitsProcessors.topP(0.8f)), 0, 0, "top-p 0.8");
        Golden.assertClose(Golden.get(FIX, "top_p_0.3"), apply(LogitsProcessors.topP(0.3f)), 0, 0, "top-p 0.3");
        GenerationConfig c = GenerationConfig.sampling(1, 0.8f, 8, 0.9f).withRepetitionPenalty(1.2f);
        Tensor chain = apply(LogitsProcessors.of(c));
        Golden.assertClose(Golden.get(FIX, "chain"), chain, 1e-6, 1e-5, "generate's chain");
        Golden.assertClose(Golden.get(FIX, "chain.probs"), chain.softmax(1), 1e-6, 1e-5, "chain probabilities");
    }

    static final int[][] PROMPTS = {{5, 17, 3}, {9, 1, 44, 23, 8, 30}};

    @Test
    void greedyWithTheCacheEqualsGreedyWithout() {
        TextGenerator gen = new TextGenerator(model);
        GenerationConfig c = GenerationConfig.greedy(8);
        int[][] cached = gen.generate(PROMPTS, c, null);
        int[][] uncached = gen.generate(PROMPTS, c.withUseCache(false), null);
        assertArrayEquals(uncached, cached);
        assertEquals(8, cached[0].length);
        // left padding changes nothing: each prompt alone gives the same tokens
        assertArrayEquals(gen.generate(PROMPTS[0], c), cached[0]);
        assertArrayEquals(gen.generate(PROMPTS[1], c), cached[1]);
        assertArrayEquals(gen.generate(PROMPTS[0], c.withUseCache(false)), cached[0]);
    }

    @Test
    void stopTokensEndASequenceAndTokensAreStreamed() {
        TextGenerator gen = new TextGenerator(model);
        int[][] free = gen.generate(PROMPTS, GenerationConfig.greedy(6), null);
        int stop = free[0][2];
        List<int[]> streamed = new ArrayList<>();
        int[][] out = gen.generate(
                PROMPTS, GenerationConfig.greedy(6).withStopTokens(stop), (s, t) -> streamed.add(new int[] {s, t}));
        int firstStop0 = indexOf(free[0], stop);
        assertArrayEquals(java.util.Arrays.copyOf(free[0], firstStop0 + 1), out[0]);
        int firstStop1 = indexOf(free[1], stop);
        int expected1 = firstStop1 < 0 ? free[1].length : firstStop1 + 1;
        assertArrayEquals(java.util.Arrays.copyOf(free[1], expected1), out[1]);
        assertEquals(out[0].length + out[1].length, streamed.size());
        for (int s = 0; s < 2; s++) {
            int seq = s;
            int[] got = streamed.stream()
                    .filter(e -> e[0] == seq)
                    .mapToInt(e -> e[1])
                    .toArray();
            assertArrayEquals(out[s], got, "streamed tokens of sequence " + s);
        }
    }

    static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void seededSamplingIsReproducibleAndTopKOneIsGreedy() {
        TextGenerator gen = new TextGenerator(model);
        GenerationConfig c = GenerationConfig.sampling(10, 1.5f, 0, 1f).withSeed(42);
        int[][] a = gen.generate(PROMPTS, c, null);
        assertArrayEquals(a, gen.generate(PROMPTS, c, null));
        assertFalse(java.util.Arrays.deepEquals(a, gen.generate(PROMPTS, c.withSeed(43), null)));
        int[][] topOne =
                gen.generate(PROMPTS, GenerationConfig.sampling(10, 0.7f, 1, 1f).withSeed(1), null);
        assertArrayEquals(gen.generate(PROMPTS, GenerationConfig.greedy(10), null), topOne);
        // a strong repetition penalty makes greedy output avoid repeats more than plain greedy
        int[] penalized = gen.generate(PROMPTS[0], GenerationConfig.greedy(10).withRepetitionPenalty(100f));
        assertTrue(distinct(penalized) >= distinct(gen.generate(PROMPTS[0], GenerationConfig.greedy(10))));
    }

    static long distinct(int[] a) {
        return java.util.Arrays.stream(a).distinct().count();
    }

    @Test
    void badInputIsRejectedClearly() {
        TextGenerator gen = new TextGenerator(model);
        var e = assertThrows(
                IllegalArgumentException.class, () -> gen.generate(new int[] {1, 2, 3}, GenerationConfig.greedy(14)));
        assertTrue(e.getMessage().contains("3 tokens") && e.getMessage().contains("16 positions"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> gen.generate(new int[] {1, 99}, GenerationConfig.greedy(1)));
        assertTrue(e.getMessage().contains("token id 99") && e.getMessage().contains("vocab_size 50"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gen.generate(new int[0], GenerationConfig.greedy(1)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.sampling(5, 0f, 0, 1f));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.sampling(5, 1f, 0, 1.5f));
    }
}
