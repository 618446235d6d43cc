package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.testing.ConcurrentCalls;
import dev.torchlet.vision.models.ResNet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Concurrent inference on int8 models (issue #18): a statically quantized ResNet and dynamically quantized
 * Linear and LSTM layers (int8 kernels with per-thread accumulators) give, called by several threads at once,
 * exactly what sequential calls gave.
 */
class ConcurrentInferenceTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 2;

    @Test
    void staticInt8ResNet18() {
        Torch.manualSeed(18);
        Module model = ResNetQuantizationTest.warmed(ResNet.resnet18(10));
        ObservedModel prepared = StaticQuantizer.prepare(model, QConfig.minMax());
        StaticQuantizer.calibrate(prepared, List.of(Torch.randn(4, 3, 32, 32)));
        QuantizedModel int8 = StaticQuantizer.convert(prepared);
        check("static int8 resnet18", int8, shapes(new int[][] {{1, 3, 32, 32}, {3, 3, 32, 32}, {2, 3, 32, 32}}));
    }

    @Test
    void dynamicInt8LinearLayers() {
        Torch.manualSeed(18);
        Module mlp = new Sequential(new Linear(64, 128), new ReLU(), new Linear(128, 10)).eval();
        Quantization.quantizeDynamic(mlp);
        check("dynamic int8 mlp", mlp, shapes(new int[][] {{1, 64}, {7, 64}, {3, 64}, {16, 64}}));
    }

    @Test
    void dynamicInt8Lstm() {
        Torch.manualSeed(18);
        Module lstm = new Sequential(new LSTM(16, 32, 2, true)).eval();
        Quantization.quantizeDynamic(lstm);
        check("dynamic int8 lstm", lstm, shapes(new int[][] {{1, 5, 16}, {3, 9, 16}, {2, 4, 16}}));
    }

    private static List<Tensor> shapes(int[][] shapes) {
        List<Tensor> inputs = new ArrayList<>();
        for (int[] s : shapes) {
            inputs.add(Torch.randn(s));
        }
        return inputs;
    }

    /** Concurrent calls with and without noGrad, against sequential ones. */
    private static void check(String what, Module model, List<Tensor> inputs) {
        ConcurrentCalls.assertSameAsSequentialTensors(
                what + ", noGrad",
                inputs.size(),
                i -> {
                    try (var g = Torch.noGrad()) {
                        return model.call(inputs.get(i));
                    }
                },
                THREADS,
                ROUNDS);
        ConcurrentCalls.assertSameAsSequentialTensors(
                what + ", grad mode on", inputs.size(), i -> model.call(inputs.get(i)), THREADS, ROUNDS);
    }
}
