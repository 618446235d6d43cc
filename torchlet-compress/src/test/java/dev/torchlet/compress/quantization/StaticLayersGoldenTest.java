package dev.torchlet.compress.quantization;

import static dev.torchlet.compress.quantization.QuantGolden.g;
import static dev.torchlet.compress.quantization.QuantGolden.longs;
import static dev.torchlet.compress.quantization.QuantGolden.qparams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Linear;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Static int8 Linear/Conv2d (+ReLU) against PyTorch's quantized modules (oneDNN engine) on the same integers and
 * parameters. Tolerance: an output integer may differ by 1 where the real value sits within float rounding of a
 * rounding boundary (oneDNN requantizes in its own float order); at most 2% of the outputs may.
 */
class StaticLayersGoldenTest {
    @Test
    void linearAndLinearReluMatchPyTorch() {
        for (String c : new String[] {"qlinear", "qlinear_relu"}) {
            Linear lin = new Linear(13, 7);
            lin.loadStateDict(Map.of("weight", g(c + ".w"), "bias", g(c + ".b")));
            QuantizedLinear q = new QuantizedLinear(lin, c.endsWith("relu"), qparams(c + ".out", -1));
            q.saturateOutput = false; // PyTorch's parameters here use the full 0..255 range
            QTensor x = QTensor.quantize(g(c + ".x"), qparams(c + ".in", -1), QuantDType.QUINT8);
            QTensor y = q.forwardQuantized(x);
            assertNearlyEqual(longs(c + ".yq"), y.intRepr().toLongArray(), c);
        }
    }

    @Test
    void convolutionsMatchPyTorch() throws Exception {
        var meta = QuantGolden.meta();
        for (String c : new String[] {"qconv", "qconv_relu", "qconv_groups"}) {
            String[] geo = meta.get(c + ".geometry").split(",");
            int[] w = g(c + ".w").shape();
            int groups = Integer.parseInt(geo[2]);
            Conv2d conv = new Conv2d(Conv2dOptions.of(w[1] * groups, w[0], 3)
                    .withStride(Integer.parseInt(geo[0]))
                    .withPadding(Integer.parseInt(geo[1]))
                    .withGroups(groups));
            conv.loadStateDict(Map.of("weight", g(c + ".w"), "bias", g(c + ".b")));
            QuantizedConv2d q = new QuantizedConv2d(conv, c.endsWith("relu"), qparams(c + ".out", -1));
            q.saturateOutput = false; // PyTorch's parameters here use the full 0..255 range
            QTensor x = QTensor.quantize(g(c + ".x"), qparams(c + ".in", -1), QuantDType.QUINT8);
            QTensor y = q.forwardQuantized(x);
            assertArrayEquals(g(c + ".yq").shape(), y.shape(), c + " shape");
            assertNearlyEqual(longs(c + ".yq"), y.intRepr().toLongArray(), c);
        }
    }

    static void assertNearlyEqual(long[] want, long[] got, String what) {
        int off = 0;
        for (int i = 0; i < want.length; i++) {
            long d = Math.abs(want[i] - got[i]);
            assertTrue(d <= 1, what + ": output " + i + " is " + got[i] + ", PyTorch " + want[i]);
            off += d == 0 ? 0 : 1;
        }
        assertTrue(off <= Math.max(1, want.length / 50), what + ": " + off + " of " + want.length + " differ by 1");
    }
}
