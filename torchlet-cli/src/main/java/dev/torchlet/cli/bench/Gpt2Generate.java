package dev.torchlet.cli.bench;

import dev.torchlet.Torch;
import dev.torchlet.text.generation.GenerationConfig;
import dev.torchlet.text.generation.TextGenerator;
import dev.torchlet.text.models.GPT2;
import dev.torchlet.text.models.GPT2Config;

/**
 * {@code gpt2_generate_tok_s}: GPT-2 small (12 layers, width 768, 12 heads, vocab 50257, tied
 * embeddings, random init, float32) in eval mode, batch 1, a random 16-token prompt, 64 greedy new
 * tokens with the key/value cache (the prompt's forward pass included in the time); new tokens per
 * second; 1 warm-up run, median of 3.
 */
final class Gpt2Generate implements Workload {
    @Override
    public String name() {
        return "gpt2_generate_tok_s";
    }

    @Override
    public String description() {
        return "GPT-2 small (random weights), batch 1, 16-token prompt, 64 greedy tokens with a KV cache";
    }

    @Override
    public Result run() {
        Torch.manualSeed(0);
        GPT2 model = new GPT2(GPT2Config.gpt2Small());
        model.eval();
        long[] p = Torch.randint(0, 50257, 16).toLongArray();
        int[] prompt = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            prompt[i] = (int) p[i];
        }
        TextGenerator gen = new TextGenerator(model);
        GenerationConfig greedy = GenerationConfig.greedy(64);
        double seconds = Timing.median(() -> gen.generate(prompt, greedy), 1, 3);
        return new Result(64 / seconds, "tok/s");
    }
}
