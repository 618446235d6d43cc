package dev.torchlet.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.torchlet.Tensor;
import dev.torchlet.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads PyTorch golden fixtures ({@code src/test/resources/golden/NAME.safetensors}, written by
 * {@code tools/golden/*.py}) and compares tensors with stated tolerances.
 */
public final class Golden {
    private static final Map<String, Map<String, Tensor>> CACHE = new ConcurrentHashMap<>();

    private Golden() {}

    /** All tensors of fixture file NAME. */
    public static Map<String, Tensor> load(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            var url = Golden.class.getResource("/golden/" + n + ".safetensors");
            if (url == null) {
                throw new IllegalStateException("missing fixture golden/" + n + ".safetensors: run tools/golden/"
                        + "generate_all.sh with PyTorch and torchvision installed");
            }
            try {
                return SafeTensors.read(Path.of(url.toURI()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** One tensor of a fixture file. */
    public static Tensor get(String file, String key) {
        Tensor t = load(file).get(key);
        if (t == null) {
            throw new IllegalStateException("fixture golden/" + file + " has no tensor '" + key + "'");
        }
        return t;
    }

    /**
     * Asserts same shape and |actual - expected| &lt;= atol + rtol * |expected| elementwise
     * (numpy's allclose rule), NaNs matching NaNs.
     */
    public static void assertClose(Tensor expected, Tensor actual, double atol, double rtol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean ok = Double.isNaN(e[i])
                    ? Double.isNaN(a[i])
                    : e[i] == a[i] || Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
            if (!ok) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " (atol " + atol + ", rtol "
                        + rtol + ")");
            }
        }
    }
}
