package dev.torchlet.compress.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.models.ResNet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Static int8 ResNets (torchvision's quantizable block structure): basic and bottleneck blocks, with downsample. */
class ResNetQuantizationTest {
    /** A ResNet with trained-looking batch-norm statistics (a few training-mode passes). */
    static Module warmed(Module m) {
        m.train();
        try (var g = Torch.noGrad()) {
            for (int i = 0; i < 3; i++) {
                m.call(Torch.randn(4, 3, 64, 64));
            }
        }
        return m.eval();
    }

    @Test
    void resnet18AndResnet50TrackTheFloatModel() {
        Torch.manualSeed(11);
        for (Module model : List.of(warmed(ResNet.resnet18(10)), warmed(ResNet.resnet50(10)))) {
            ObservedModel prepared = StaticQuantizer.prepare(model, QConfig.minMax());
            StaticQuantizer.calibrate(prepared, List.of(Torch.randn(4, 3, 64, 64), Torch.randn(4, 3, 64, 64)));
            QuantizedModel q = StaticQuantizer.convert(prepared);
            assertInstanceOf(QuantizedResidualBlock.class, q.getSubmodule("body.4"), "layer1.0");
            Tensor x = Torch.randn(2, 3, 64, 64);
            Tensor want;
            try (var g = Torch.noGrad()) {
                want = model.call(x);
            }
            Tensor got = q.call(x);
            assertArrayEquals(want.shape(), got.shape());
            // relative L2 error: random-weight ResNets with 7-bit activations lose several percent (PyTorch's own
            // quantizable resnet18, same recipe: min/max, reduce_range, 2 calibration batches of 4: 9.6%)
            double err = got.sub(want).pow(2).sum().sqrt().item()
                    / want.pow(2).sum().sqrt().item();
            assertTrue(err < 0.2, "int8 vs float: relative L2 error " + err);
        }
    }
}
