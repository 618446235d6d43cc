package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.torchlet.testing.Golden;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Tensor.toString() against PyTorch 1.13's repr(): the tensors are stored in
 * golden/indexing_repr.safetensors ("fmt.NAME") and the exact expected strings in
 * golden/indexing_repr.txt, both written by tools/golden/gen_indexing.py. Comparison is exact.
 */
class TensorFormatterTest {
    private static final String FIXTURE = "indexing_repr";

    /** NAME -> expected repr, parsed from "=== NAME" headers. */
    private static Map<String, String> expected() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = TensorFormatterTest.class.getResourceAsStream("/golden/indexing_repr.txt")) {
            if (in == null) {
                throw new IllegalStateException("missing golden/indexing_repr.txt: run tools/golden/gen_indexing.py");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String name = null;
            StringBuilder body = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                if (line.startsWith("=== ")) {
                    if (name != null) {
                        out.put(name, body.substring(0, body.length() - 1));
                    }
                    name = line.substring(4);
                    body.setLength(0);
                } else {
                    body.append(line).append('\n');
                }
            }
            if (name != null) {
                // the file ends with "\n", so the body has one extra empty line
                out.put(name, body.substring(0, body.length() - 2));
            }
        }
        return out;
    }

    private static Tensor fmt(String name) {
        return Golden.get(FIXTURE, "fmt." + name).clone();
    }

    /** How each case is built in Torchlet; plain cases just print the stored tensor. */
    private static Supplier<Tensor> build(String name) {
        return switch (name) {
            case "leaf" -> () -> fmt("leaf").requiresGrad(true);
            case "mul" -> () -> fmt("mul_a").requiresGrad(true).mul(fmt("mul_b"));
            case "mul_f64" ->
                () -> {
                    Tensor a = fmt("mul_f64_a").requiresGrad(true);
                    return a.mul(a);
                };
            case "transposed" -> () -> fmt("cube").transpose(0, 2);
            default -> () -> fmt(name);
        };
    }

    @TestFactory
    List<DynamicTest> matchesPyTorchRepr() throws IOException {
        Map<String, String> cases = expected();
        assertFalse(cases.isEmpty(), "no repr cases in the fixture");
        List<DynamicTest> tests = new ArrayList<>();
        for (var e : cases.entrySet()) {
            tests.add(DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> assertEquals(e.getValue(), build(e.getKey()).get().toString(), e.getKey())));
        }
        return tests;
    }

    @Test
    void pythonFloatFormatting() {
        // exact binary ties round half to even, like Python; others round to nearest
        assertEquals("0.0312", TensorFormatter.fixed(0.03125, 4));
        assertEquals("0.0938", TensorFormatter.fixed(0.09375, 4));
        assertEquals("-0.0000", TensorFormatter.fixed(-0.0, 4));
        assertEquals("-0", TensorFormatter.fixed(-0.0, 0));
        assertEquals("2", TensorFormatter.fixed(2.5, 0));
        assertEquals("1.0000e+10", TensorFormatter.sci(1e10));
        assertEquals("-2.5000e-05", TensorFormatter.sci(-2.5e-5));
        assertEquals("1.0000e+01", TensorFormatter.sci(9.99996));
        assertEquals("0.0000e+00", TensorFormatter.sci(0.0));
        assertEquals("1.0000e+100", TensorFormatter.sci(1e100));
        assertEquals("inf", TensorFormatter.sci(Double.POSITIVE_INFINITY));
    }

    @Test
    void gradFnSuffixUsesNodeName() {
        Tensor x = Torch.tensor(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.softmax(0);
        assertEquals("tensor([0.2689, 0.7311], grad_fn=<SoftmaxBackward0>)", y.toString());
    }
}
