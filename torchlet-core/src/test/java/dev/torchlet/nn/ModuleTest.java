package dev.torchlet.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.functional.F;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {
    /** A two-level model: names must come out as PyTorch's. */
    static final class Block extends Module {
        final Linear fc1 = registerModule("fc1", new Linear(4, 3));
        final Sequential head = registerModule("head", new Sequential(new ReLU(), new Linear(3, 2, false)));

        @Override
        public Tensor forward(Tensor x) {
            return child("head").call(fc1.call(x)); // looked up by name so replaceModule takes effect
        }
    }

    @Test
    void dottedNamesInRegistrationOrder() {
        Block b = new Block();
        assertEquals(
                List.of("fc1.weight", "fc1.bias", "head.1.weight"),
                new ArrayList<>(b.namedParameters().keySet()));
        assertEquals(
                List.of("", "fc1", "head", "head.0", "head.1"),
                new ArrayList<>(b.namedModules().keySet()));
        assertEquals(3, b.parameters().size());
        assertEquals(b.namedParameters().keySet(), b.stateDict().keySet());
    }

    @Test
    void strictLoadNamesEveryProblemAndChangesNothing() {
        Block b = new Block();
        float[] before = b.fc1.weight().toFloatArray();
        Map<String, Tensor> bad = new LinkedHashMap<>(b.stateDict());
        bad.put("fc1.weight", Torch.zeros(3, 5));
        bad.remove("head.1.weight");
        bad.put("extra.bias", Torch.zeros(1));
        var e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad));
        assertTrue(e.getMessage().contains("missing keys: [head.1.weight]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected keys: [extra.bias]"), e.getMessage());
        assertTrue(
                e.getMessage().contains("size mismatch for fc1.weight: checkpoint [3, 5] vs model [3, 4]"),
                e.getMessage());
        assertArrayEquals(before, b.fc1.weight().toFloatArray(), 0f);
    }

    @Test
    void nonStrictLoadReportsKeys() {
        Block b = new Block();
        Map<String, Tensor> partial = new LinkedHashMap<>();
        partial.put("fc1.bias", Torch.ones(3));
        partial.put("other", Torch.ones(1));
        Module.LoadResult r = b.loadStateDict(partial, false);
        assertEquals(List.of("fc1.weight", "head.1.weight"), r.missingKeys());
        assertEquals(List.of("other"), r.unexpectedKeys());
        assertArrayEquals(new float[] {1, 1, 1}, b.fc1.bias().toFloatArray(), 0f);
    }

    @Test
    void loadIsInPlaceSoOptimizersKeepTheirReferences() {
        Block b = new Block();
        Tensor w = b.fc1.weight();
        Map<String, Tensor> sd = new Block().stateDict();
        b.loadStateDict(sd);
        assertSame(w, b.fc1.weight());
        assertArrayEquals(sd.get("fc1.weight").toFloatArray(), w.toFloatArray(), 0f);
    }

    @Test
    void hooksSeeAndReplaceOutputs() {
        Block b = new Block();
        List<int[]> seen = new ArrayList<>();
        Module.HookHandle h = b.fc1.registerForwardHook((m, in, out) -> {
            seen.add(out.shape());
            return null;
        });
        b.call(Torch.rand(2, 4));
        assertArrayEquals(new int[] {2, 3}, seen.get(0));
        h.remove();
        b.call(Torch.rand(2, 4));
        assertEquals(1, seen.size());
        b.fc1.registerForwardHook((m, in, out) -> Torch.zeros(TensorInternals.shapeRef(out)));
        Tensor y = b.call(Torch.rand(2, 4));
        assertArrayEquals(new float[4], y.toFloatArray(), 0f);
    }

    @Test
    void trainEvalAndFreezeAreRecursive() {
        Block b = new Block();
        b.eval();
        assertFalse(b.head.get(0).isTraining());
        b.train();
        assertTrue(b.head.get(1).isTraining());
        b.fc1.requiresGrad(false);
        b.call(Torch.rand(2, 4)).sum().backward();
        assertEquals(null, b.fc1.weight().grad());
        assertArrayEquals(
                new int[] {2, 3}, ((Linear) b.head.get(1)).weight().grad().shape());
        b.zeroGrad();
        assertEquals(null, ((Linear) b.head.get(1)).weight().grad());
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("""
                Block(
                  (fc1): Linear(in_features=4, out_features=3, bias=True)
                  (head): Sequential(
                    (0): ReLU()
                    (1): Linear(in_features=3, out_features=2, bias=False)
                  )
                )""", new Block().toString());
    }

    @Test
    void replaceHeadForTransferLearning() {
        Block b = new Block();
        b.replaceModule("head", new Linear(3, 5));
        assertArrayEquals(new int[] {2, 5}, b.forward(Torch.rand(2, 4)).shape());
        assertThrows(IllegalArgumentException.class, () -> b.replaceModule("nope", new Identity()));
    }

    @Test
    void defaultInitBoundsLikePyTorch() {
        Linear l = new Linear(100, 50);
        double bound = 1 / Math.sqrt(100);
        for (float v : l.weight().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
        for (float v : l.bias().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void dropoutScalesInTrainingAndIsIdentityInEval() {
        Torch.manualSeed(3);
        Dropout d = new Dropout(0.25);
        Tensor x = Torch.ones(10000);
        float[] y = d.forward(x).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0) {
                zeros++;
            } else {
                assertEquals(1 / 0.75f, v, 1e-6f);
            }
        }
        assertEquals(0.25, zeros / 10000.0, 0.02);
        d.eval();
        assertSame(x, d.forward(x));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
    }

    @Test
    void dropoutKeepsWhereTheUniformDrawIsAtLeastP() {
        // the contract runs and resumes rely on: one rand draw of x's shape, kept where u >= p, scaled by 1/(1-p)
        for (dev.torchlet.DType dt :
                new dev.torchlet.DType[] {dev.torchlet.DType.FLOAT32, dev.torchlet.DType.FLOAT64}) {
            Torch.manualSeed(4);
            Tensor x = Torch.randn(300, 7).to(dt);
            Torch.manualSeed(5);
            double[] u = Torch.rand(300, 7).to(dev.torchlet.DType.FLOAT64).toDoubleArray();
            Torch.manualSeed(5);
            double[] y = F.dropout(x, 0.3, true).to(dev.torchlet.DType.FLOAT64).toDoubleArray();
            double[] xs = x.to(dev.torchlet.DType.FLOAT64).toDoubleArray();
            double scale = dt == dev.torchlet.DType.FLOAT32 ? 1f / (float) 0.7 : 1.0 / (float) 0.7;
            for (int i = 0; i < y.length; i++) {
                double want = u[i] >= (float) 0.3 ? xs[i] * scale : 0.0;
                assertEquals(want, y[i], Math.abs(want) * 1e-6, dt + " element " + i);
            }
        }
    }
}
