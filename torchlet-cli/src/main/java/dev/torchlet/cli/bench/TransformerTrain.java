package dev.torchlet.cli.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.TransformerEncoderLayer;
import dev.torchlet.nn.TransformerEncoderLayerOptions;
import dev.torchlet.optim.AdamW;

/**
 * {@code transformer_train_tok_s}: training step of 4 TransformerEncoderLayers (d_model 256, 8 heads,
 * feed-forward 1024, dropout 0.1, relu, post-norm, batch-first); batch 16 x 128 tokens;
 * loss = mean(out^2); AdamW lr 1e-4; 5 reps.
 */
final class TransformerTrain implements Workload {
    @Override
    public String name() {
        return "transformer_train_tok_s";
    }

    @Override
    public String description() {
        return "4-layer TransformerEncoder (256, 8 heads, ff 1024) training step, 16 x 128 tokens";
    }

    @Override
    public Result run() {
        Sequential enc = new Sequential();
        for (int i = 0; i < 4; i++) {
            enc.add(new TransformerEncoderLayer(
                    TransformerEncoderLayerOptions.of(256, 8, 1024).withBatchFirst(true)));
        }
        AdamW opt = new AdamW(enc.parameters(), 1e-4);
        Tensor x = Torch.rand(16, 128, 256);
        double seconds = Timing.median(
                () -> {
                    opt.zeroGrad();
                    enc.call(x).pow(2f).mean().backward();
                    opt.step();
                },
                5);
        return new Result(16 * 128 / seconds, "tok/s");
    }
}
