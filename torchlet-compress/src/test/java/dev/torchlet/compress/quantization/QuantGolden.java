package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.testing.Golden;
import java.nio.file.Path;
import java.util.Map;

/** Reads golden/quant.safetensors (tools/golden/gen_quant.py, PyTorch 1.13, oneDNN engine). */
final class QuantGolden {
    static final String FILE = "quant";

    private QuantGolden() {}

    static Tensor g(String key) {
        return Golden.get(FILE, key);
    }

    static float[] floats(String key) {
        return g(key).toFloatArray();
    }

    static long[] longs(String key) {
        return g(key).toLongArray();
    }

    static QParams qparams(String prefix, int axis) {
        float[] s = floats(prefix + ".scale");
        long[] z = longs(prefix + ".zp");
        int[] zp = new int[z.length];
        for (int i = 0; i < z.length; i++) {
            zp[i] = (int) z[i];
        }
        return axis < 0 ? QParams.perTensor(s[0], zp[0]) : new QParams(s, zp, axis);
    }

    static Map<String, String> meta() throws Exception {
        Path p = Path.of(
                QuantGolden.class.getResource("/golden/quant.safetensors").toURI());
        return SafeTensors.header(p).metadata();
    }

    static QuantDType dtype(String torchName) {
        return torchName.equals("torch.quint8") ? QuantDType.QUINT8 : QuantDType.QINT8;
    }
}
