package dev.torchlet.cli.bench;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.compress.quantization.ObservedModel;
import dev.torchlet.compress.quantization.QConfig;
import dev.torchlet.compress.quantization.QuantizedModel;
import dev.torchlet.compress.quantization.StaticQuantizer;
import dev.torchlet.vision.models.ResNet;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code resnet18_int8_b1_ms}, as the baseline defines it: ResNet-18 (1000 classes, random init), static
 * post-training int8 (conv+bn+relu fused, histogram observers for activations with fbgemm's reduced range,
 * per-channel weights), calibrated on 4 random batches of 8; eval, batch 1 x 3x224x224, median latency of 5 runs.
 */
final class ResNet18Int8 implements Workload {
    @Override
    public String name() {
        return "resnet18_int8_b1_ms";
    }

    @Override
    public String description() {
        return "resnet18 (1000 classes) static int8, calibrated on 4 random batches of 8, batch 1 x 3x224x224, "
                + "latency";
    }

    @Override
    public Result run() {
        ObservedModel prepared = StaticQuantizer.prepare(ResNet.resnet18(1000).eval(), QConfig.histogram());
        List<Tensor> calibration = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calibration.add(Torch.rand(8, 3, 224, 224));
        }
        StaticQuantizer.calibrate(prepared, calibration);
        QuantizedModel q = StaticQuantizer.convert(prepared);
        Tensor x = Torch.rand(1, 3, 224, 224);
        return new Result(1000 * Timing.median(() -> q.call(x), 5), "ms");
    }
}
