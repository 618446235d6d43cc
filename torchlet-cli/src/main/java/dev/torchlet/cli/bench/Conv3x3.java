package dev.torchlet.cli.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Conv2d;

/** {@code conv3x3_64_56_b8_gflops}: Conv2d 64->64, 3x3, padding 1, bias, input 8x64x56x56, forward, no grad. */
final class Conv3x3 implements Workload {
    @Override
    public String name() {
        return "conv3x3_64_56_b8_gflops";
    }

    @Override
    public String description() {
        return "Conv2d 64->64 3x3 pad 1, 8x64x56x56, forward, no grad";
    }

    @Override
    public Result run() {
        Tensor x = Torch.rand(8, 64, 56, 56);
        Conv2d conv = new Conv2d(64, 64, 3, 1, 1);
        double seconds;
        try (var g = Torch.noGrad()) {
            seconds = Timing.median(() -> conv.call(x), 9);
        }
        return new Result(2.0 * 8 * 64 * 64 * 9 * 56 * 56 / seconds / 1e9, "GFLOP/s");
    }
}
