package dev.torchlet.nn.utils.prune;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.SpectralNorm;
import dev.torchlet.optim.SGD;
import dev.torchlet.testing.Golden;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Prune} against PyTorch's {@code torch.nn.utils.prune} (tools/golden/gen_prune.py): masks
 * exactly equal (weights drawn without ties), state-dict keys and order equal, state-dict values
 * exactly equal (copies), forward output within atol 1e-5 / rtol 1e-4 and the gradient of
 * {@code weight_orig} within atol 1e-5 / rtol 1e-4 (float32 GEMM/conv summation order differs).
 */
class PruneTest {
    private static final String FILE = "prune";

    private static Map<String, String> meta() throws Exception {
        Path p =
                Path.of(PruneTest.class.getResource("/golden/prune.safetensors").toURI());
        return SafeTensors.header(p).metadata();
    }

    private static Tensor g(String key) {
        return Golden.get(FILE, key);
    }

    private static Map<String, Tensor> init(String prefix) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("weight", g(prefix + ".init.weight"));
        sd.put("bias", g(prefix + ".init.bias"));
        return sd;
    }

    private static void assertExact(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), what);
    }

    /** Checks state dict (keys, order, values), output and weight_orig's gradient against the golden case. */
    private static void checkCase(String name, Module m) throws Exception {
        Map<String, Tensor> sd = m.stateDict();
        assertEquals(meta().get(name + ".keys"), String.join(",", sd.keySet()), name + " state-dict keys");
        for (var e : sd.entrySet()) {
            assertExact(g(name + ".sd." + e.getKey()), e.getValue(), name + " " + e.getKey());
        }
        m.zeroGrad();
        Tensor y = m.call(g(name + ".x"));
        assertClose(g(name + ".y"), y, 1e-5, 1e-4, name + " output");
        y.mul(g(name + ".gy")).sum().backward();
        Tensor orig = m.parameter("weight_orig");
        assertClose(g(name + ".grad_orig"), orig.grad(), 1e-5, 1e-4, name + " grad weight_orig");
    }

    @Test
    void l1UnstructuredTwiceMatchesPyTorch() throws Exception {
        Linear lin = new Linear(6, 5);
        lin.loadStateDict(init("l1"));
        Prune.l1Unstructured(lin, "weight", 0.3);
        assertExact(g("l1.mask1"), Prune.mask(lin, "weight"), "first mask");
        Prune.l1Unstructured(lin, "weight", 4); // a count, among the remaining entries
        checkCase("l1", lin);
        Prune.remove(lin, "weight");
        Map<String, Tensor> sd = lin.stateDict();
        assertEquals(meta().get("removed.keys"), String.join(",", sd.keySet()));
        for (var e : sd.entrySet()) {
            assertExact(g("removed.sd." + e.getKey()), e.getValue(), "removed " + e.getKey());
        }
        assertFalse(Prune.isPruned(lin));
    }

    @Test
    void lnStructuredMatchesPyTorch() throws Exception {
        Conv2d conv = new Conv2d(3, 6, 3);
        conv.loadStateDict(init("ln"));
        Prune.lnStructured(conv, "weight", 0.34, 2, 0);
        assertExact(g("ln.mask1"), Prune.mask(conv, "weight"), "first mask");
        Prune.lnStructured(conv, "weight", 0.5, 1, 0);
        checkCase("ln", conv);

        Conv2d c1 = new Conv2d(4, 3, 2);
        c1.loadStateDict(init("lndim1"));
        Prune.lnStructured(c1, "weight", 2, Double.POSITIVE_INFINITY, 1);
        assertExact(g("lndim1.mask1"), Prune.mask(c1, "weight"), "dim 1 mask");
        checkCase("lndim1", c1);
    }

    @Test
    void globalUnstructuredMatchesPyTorch() throws Exception {
        Linear lin = new Linear(6, 5);
        Conv2d conv = new Conv2d(3, 6, 3);
        lin.loadStateDict(init("glob.lin"));
        conv.loadStateDict(init("glob.conv"));
        Prune.globalUnstructured(
                List.of(new Prune.Target(lin, "weight"), new Prune.Target(conv, "weight")),
                Prune.Method.L1_UNSTRUCTURED,
                0.6);
        assertExact(g("glob.lin.mask1"), Prune.mask(lin, "weight"), "linear mask");
        assertExact(g("glob.conv.mask1"), Prune.mask(conv, "weight"), "conv mask");
        Prune.l1Unstructured(lin, "weight", 0.25);
        checkCase("glob.lin", lin);
        checkCase("glob.conv", conv);
    }

    @Test
    void pytorchPrunedStateDictLoadsAndRoundTrips() throws Exception {
        // a Torchlet-pruned module (any mask) takes PyTorch's pruned state dict, then gives it back unchanged
        Conv2d conv = new Conv2d(3, 6, 3);
        Prune.randomUnstructured(conv, "weight", 0.5);
        Map<String, Tensor> pt = new LinkedHashMap<>();
        for (String k : meta().get("ln.keys").split(",")) {
            pt.put(k, g("ln.sd." + k));
        }
        conv.loadStateDict(pt);
        Map<String, Tensor> back = conv.stateDict();
        assertEquals(List.copyOf(pt.keySet()), List.copyOf(back.keySet()));
        for (String k : pt.keySet()) {
            assertExact(pt.get(k), back.get(k), k);
        }
        try (var ng = Torch.noGrad()) {
            assertClose(g("ln.y"), conv.call(g("ln.x")), 1e-5, 1e-4, "output after load");
        }
        // and an unpruned module refuses it, naming the keys
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 6, 3).loadStateDict(pt));
        assertTrue(e.getMessage().contains("weight_orig"), e.getMessage());
    }

    @Test
    void amountSemanticsAndRandomCounts() {
        Torch.manualSeed(1);
        Linear lin = new Linear(10, 10);
        Prune.randomUnstructured(lin, "weight", 0.25); // 25 of 100
        assertEquals(25, zeros(Prune.mask(lin, "weight")));
        Prune.randomUnstructured(lin, "weight", 0.5); // half of the remaining 75 -> round(37.5) = 38 (half to even)
        assertEquals(25 + 38, zeros(Prune.mask(lin, "weight")));
        Prune.l1Unstructured(lin, "weight", 37); // all the rest
        assertEquals(100, zeros(Prune.mask(lin, "weight")));
        Prune.l1Unstructured(lin, "weight", 0.0);
        assertEquals(100, zeros(Prune.mask(lin, "weight")));

        // Python's round: 0.5 * 5 = 2.5 -> 2
        Linear l5 = new Linear(5, 1);
        Prune.l1Unstructured(l5, "weight", 0.5);
        assertEquals(2, zeros(Prune.mask(l5, "weight")));
    }

    @Test
    void badAmountsAndNamesFailWithoutChangingTheModule() {
        Linear lin = new Linear(4, 3);
        Map<String, Tensor> before = lin.stateDict();
        var e1 = assertThrows(IllegalArgumentException.class, () -> Prune.l1Unstructured(lin, "weight", 1.5));
        assertEquals("prune: amount must be a fraction in [0, 1] or a count >= 0, got 1.5", e1.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Prune.l1Unstructured(lin, "weight", -0.1));
        assertThrows(IllegalArgumentException.class, () -> Prune.l1Unstructured(lin, "weight", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Prune.l1Unstructured(lin, "weight", -1));
        var e2 = assertThrows(IllegalArgumentException.class, () -> Prune.l1Unstructured(lin, "weight", 13));
        assertEquals("prune: amount=13 should be smaller than the number of parameters to prune=12", e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> Prune.l1Unstructured(lin, "kernel", 0.5));
        assertTrue(e3.getMessage().contains("no parameter named 'kernel'"), e3.getMessage());
        var e4 = assertThrows(IllegalArgumentException.class, () -> Prune.lnStructured(lin, "weight", 0.5, 2, 2));
        assertTrue(e4.getMessage().contains("dim 2 out of range"), e4.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Prune.remove(lin, "weight"));
        assertEquals(before.keySet(), lin.stateDict().keySet());
        assertFalse(Prune.isPruned(lin));
        // a count larger than what remains after an earlier pruning
        Prune.l1Unstructured(lin, "weight", 10);
        var e5 = assertThrows(IllegalArgumentException.class, () -> Prune.l1Unstructured(lin, "weight", 3));
        assertTrue(e5.getMessage().contains("parameters to prune=2"), e5.getMessage());
        assertEquals(10, zeros(Prune.mask(lin, "weight")));
        // spectral norm's weight is not a plain parameter
        Linear sn = SpectralNorm.apply(new Linear(3, 3));
        assertThrows(IllegalStateException.class, () -> Prune.l1Unstructured(sn, "weight", 0.5));
    }

    @Test
    void trainingUpdatesOrigAndKeepsPrunedEntriesZero() {
        Torch.manualSeed(2);
        Sequential net = new Sequential(new Linear(4, 8), new dev.torchlet.nn.ReLU(), new Linear(8, 2));
        Linear first = (Linear) net.getSubmodule("0");
        Tensor orig = first.weight();
        Prune.l1Unstructured(first, "weight", 0.5);
        assertSame(orig, first.parameter("weight_orig"), "the parameter object is kept");
        assertTrue(Prune.isPruned(net));
        List<Tensor> params = net.parameters();
        assertTrue(params.stream().anyMatch(p -> p == orig));
        SGD opt = new SGD(params, 0.1);
        Tensor x = Torch.randn(16, 4);
        for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            net.call(x).pow(2).mean().backward();
            opt.step();
        }
        float[] w = first.weight().toFloatArray();
        float[] m = Prune.mask(first, "weight").toFloatArray();
        for (int i = 0; i < w.length; i++) {
            if (m[i] == 0) {
                assertEquals(0.0, w[i], 0.0); // -0.0 (negative orig times 0) counts as zero
            }
        }
        Prune.removeAll(net);
        assertFalse(Prune.isPruned(net));
        assertSame(orig, first.parameter("weight"));
        assertNull(first.buffer("weight_mask"));
        assertEquals(16, countZeros(first.weight()));
        assertNotNull(first.weight().grad());
        List<String> keys = new ArrayList<>(net.stateDict().keySet());
        assertEquals(List.of("0.bias", "0.weight", "2.weight", "2.bias"), keys);
    }

    private static int zeros(Tensor mask) {
        return countZeros(mask);
    }

    private static int countZeros(Tensor t) {
        int n = 0;
        for (float v : t.toFloatArray()) {
            n += v == 0f ? 1 : 0;
        }
        return n;
    }
}
