package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models using Einsum, the int8 operators, If/Loop and cubic Resize (tools/golden/gen_onnx_ops.py: torch.onnx
 * exports and onnx.helper graphs) against ONNX Runtime's outputs (gen_onnx_ort_run.mjs). Each fixture holds cases
 * "case/input.name" and "case/output.name". Float outputs agree to ATOL; integer outputs (the quantized ones)
 * exactly: both sides accumulate the same integers exactly and requantize in float32 alike.
 */
class OnnxOpsFixturesTest {
    private static final float ATOL = 2e-5f;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "einsum_opset12",
                "qlinear_opset13",
                "control_flow_opset13",
                "loop_scan_opset13",
                "bicubic_opset13"
            })
    void matchesOnnxRuntime(String name) throws IOException {
        OnnxModel model = OnnxModel.load(OnnxModelTest.fixture(name + ".onnx"));
        model.eval();
        Map<String, Tensor> golden = SafeTensors.read(OnnxModelTest.fixture(name + ".safetensors"));
        TreeSet<String> cases = new TreeSet<>();
        golden.keySet().forEach(k -> cases.add(k.substring(0, k.indexOf('/'))));
        assertFalse(cases.isEmpty(), name + ": no cases");
        for (String c : cases) {
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            for (String input : model.inputNames()) {
                feeds.put(input, golden.get(c + "/input." + input));
            }
            Map<String, Tensor> out;
            try (var g = Torch.noGrad()) {
                out = model.run(feeds);
            }
            for (String output : model.outputNames()) {
                Tensor expected = golden.get(c + "/output." + output);
                Tensor actual = out.get(output);
                String what = name + " case " + c + " output " + output;
                assertArrayEquals(expected.shape(), actual.shape(), what);
                if (expected.dtype() == DType.INT64) {
                    assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
                } else {
                    assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), ATOL, what);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"einsum_opset12", "control_flow_opset13"})
    void gradientsThroughEinsumAndLoopMatchFiniteDifferences(String name) throws IOException {
        // loss = sum(output^2) of the fixture's first case; d loss / d w for the parameter "w" (einsum: (5, 6) in
        // four einsum equations; control flow: (4, 4) used in every Loop iteration). float32: a step of 1e-2 and
        // a relative tolerance of 2%
        OnnxModel model = OnnxModel.load(OnnxModelTest.fixture(name + ".onnx"));
        Map<String, Tensor> golden = SafeTensors.read(OnnxModelTest.fixture(name + ".safetensors"));
        String c = golden.keySet().stream().sorted().findFirst().orElseThrow().split("/")[0];
        Tensor x = golden.get(c + "/input.input");
        Tensor w = model.namedParameters().get("w");
        model.call(x).pow(2f).sum().backward();
        float[] grad = w.grad().toFloatArray();
        float[] values = w.toFloatArray();
        for (int i = 0; i < values.length; i += 3) {
            double[] f = new double[2];
            for (int side = 0; side < 2; side++) {
                float[] moved = values.clone();
                moved[i] += side == 0 ? 1e-2f : -1e-2f;
                try (var g = Torch.noGrad()) {
                    w.copyFrom(Torch.tensor(moved, w.shape()));
                    f[side] = model.call(x).pow(2f).sum().itemDouble();
                }
            }
            w.copyFrom(Torch.tensor(values, w.shape()));
            double numeric = (f[0] - f[1]) / 2e-2;
            assertEquals(numeric, grad[i], 0.02 * Math.abs(numeric) + 1e-3, name + ": d loss / d w[" + i + "]");
        }
    }
}
