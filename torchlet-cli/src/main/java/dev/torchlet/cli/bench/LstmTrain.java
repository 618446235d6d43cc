package dev.torchlet.cli.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lstm_train_seq_s}: training step of a 2-layer LSTM (input 32, hidden 128, batch-first)
 * whose last step feeds Linear(128, 2); cross-entropy, Adam; batch 32, sequence length 50; 10 reps.
 */
final class LstmTrain implements Workload {
    @Override
    public String name() {
        return "lstm_train_seq_s";
    }

    @Override
    public String description() {
        return "2-layer LSTM(32, 128) + Linear training step, batch 32 x 50 steps";
    }

    @Override
    public Result run() {
        LSTM lstm = new LSTM(32, 128, 2, true);
        Linear fc = new Linear(128, 2);
        List<Tensor> params = new ArrayList<>(lstm.parameters());
        params.addAll(fc.parameters());
        Adam opt = new Adam(params, 1e-3);
        Tensor x = Torch.rand(32, 50, 32);
        Tensor y = Torch.randint(0, 2, 32);
        double seconds = Timing.median(
                () -> {
                    opt.zeroGrad();
                    Tensor out = lstm.call(x); // (32, 50, 128)
                    F.crossEntropy(fc.call(out.select(1, -1)), y).backward();
                    opt.step();
                },
                10);
        return new Result(32 / seconds, "seq/s");
    }
}
