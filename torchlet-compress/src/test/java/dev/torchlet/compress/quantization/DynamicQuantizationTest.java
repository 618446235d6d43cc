package dev.torchlet.compress.quantization;

import static dev.torchlet.compress.quantization.QuantGolden.g;
import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dynamic int8 Linear against torch.ao.nn.quantized.dynamic.Linear (per-channel weights). */
class DynamicQuantizationTest {
    @Test
    void linearMatchesPyTorch() {
        Linear lin = new Linear(9, 6);
        lin.loadStateDict(Map.of("weight", g("dlinear.weight"), "bias", g("dlinear.bias")));
        Module model = new Sequential(lin).eval();
        assertEquals(List.of("0"), Quantization.quantizeDynamic(model));
        assertInstanceOf(DynamicQuantizedLinear.class, model.getSubmodule("0"));
        Tensor y;
        try (var ng = Torch.noGrad()) {
            y = model.call(g("dlinear.x"));
        }
        // same integers and parameters; only the float epilogue's rounding order may differ
        assertClose(g("dlinear.y"), y, 1e-5, 1e-5, "dynamic int8 linear");
        assertClose(g("dlinear.float_y"), y, 0.05, 0.02, "close to float");
    }

    @Test
    void stateDictRoundTripAndErrors() {
        Module model = new Sequential(new Linear(5, 4), new ReLU(), new Linear(4, 3)).eval();
        Quantization.quantizeDynamic(model);
        Map<String, Tensor> sd = model.stateDict();
        assertEquals(
                List.of("0.weight", "0.weight_scale", "0.bias", "2.weight", "2.weight_scale", "2.bias"),
                List.copyOf(sd.keySet()));
        var e = assertThrows(
                IllegalArgumentException.class, () -> Quantization.quantizeDynamic(new Sequential(new ReLU()).eval()));
        assertTrue(e.getMessage().contains("supported: Linear"), e.getMessage());
        var s = assertThrows(
                IllegalStateException.class,
                () -> Quantization.quantizeDynamic(new Sequential(new Linear(2, 2)).train()));
        assertTrue(s.getMessage().contains("training mode"), s.getMessage());
    }
}
