package dev.torchlet.text.models;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.ConcurrentCalls;
import dev.torchlet.testing.ConcurrentCalls.Output;
import dev.torchlet.text.generation.PastKeyValues;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Concurrent inference on one BERT and one GPT-2 instance (issue #18): in eval mode, with and without
 * {@code Torch.noGrad()}, threads calling the same instance at once on batches of different shapes (and
 * padding masks) get exactly what sequential calls got. GPT-2 also decodes with one KV cache per call.
 */
class ConcurrentInferenceTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 3;
    private static final int VOCAB = 100;
    /** (batch, length) of the inputs; threads start at different inputs, so different shapes run at once. */
    private static final int[][] SHAPES = {{1, 7}, {3, 12}, {2, 5}, {1, 16}};

    private static List<Tensor> ids() {
        List<Tensor> ids = new ArrayList<>();
        for (int[] s : SHAPES) {
            ids.add(Torch.randint(0, VOCAB, s[0], s[1]));
        }
        return ids;
    }

    /** Ones, with the last third of the tokens of every row but the first masked out (right padding). */
    private static Tensor paddingMask(int batch, int length) {
        long[] m = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                m[b * length + t] = b > 0 && t >= length - length / 3 ? 0 : 1;
            }
        }
        return Torch.tensor(m, batch, length);
    }

    @Test
    void bert() {
        Torch.manualSeed(18);
        Bert bert = new Bert(BertConfig.of(VOCAB, 64, 2, 4, 128));
        bert.eval();
        List<Tensor> ids = ids();
        IntFunction<List<Output>> call = i -> {
            Tensor x = ids.get(i);
            Bert.Output out = bert.call(x, null, paddingMask(x.size(0), x.size(1)));
            return List.of(Output.of(out.lastHiddenState()), Output.of(out.poolerOutput()));
        };
        checkBothGradModes("bert", ids.size(), call);
    }

    @Test
    void gpt2Forward() {
        Torch.manualSeed(18);
        GPT2 gpt2 = new GPT2(GPT2Config.of(VOCAB, 64, 64, 2, 4));
        gpt2.eval();
        List<Tensor> ids = ids();
        checkBothGradModes("gpt2", ids.size(), i -> List.of(Output.of(gpt2.call(ids.get(i)))));
    }

    @Test
    void gpt2GreedyDecodingWithOneCachePerCall() {
        Torch.manualSeed(18);
        GPT2 gpt2 = new GPT2(GPT2Config.of(VOCAB, 64, 64, 2, 4));
        gpt2.eval();
        List<Tensor> prompts = ids();
        checkBothGradModes("gpt2 decoding", prompts.size(), i -> decode(gpt2, prompts.get(i), 4));
    }

    /** The logits of the prompt and of {@code steps} greedily chosen tokens, through a KV cache of this call. */
    private static List<Output> decode(GPT2 gpt2, Tensor prompt, int steps) {
        PastKeyValues past = gpt2.newCache(prompt.size(1) + steps);
        List<Output> outputs = new ArrayList<>();
        Tensor logits = gpt2.call(prompt, null, past);
        for (int s = 0; s < steps; s++) {
            outputs.add(Output.of(logits));
            int last = logits.size(1) - 1;
            Tensor next = logits.narrow(1, last, 1).argmax(2).to(DType.INT64); // (B, 1)
            logits = gpt2.call(next, null, past);
        }
        outputs.add(Output.of(logits));
        return outputs;
    }

    private static void checkBothGradModes(String what, int inputs, IntFunction<List<Output>> call) {
        ConcurrentCalls.assertSameAsSequential(
                what + ", noGrad",
                inputs,
                i -> {
                    try (var g = Torch.noGrad()) {
                        return call.apply(i);
                    }
                },
                THREADS,
                ROUNDS);
        // grad mode on (the default on every new thread): each call records its own graph
        ConcurrentCalls.assertSameAsSequential(what + ", grad mode on", inputs, call, THREADS, ROUNDS);
    }
}
