package dev.torchlet.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.testing.OpGolden;
import dev.torchlet.testing.OpGolden.Op;
import dev.torchlet.testing.OpGolden.Tol;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The autograd engine: whole graphs against PyTorch (diamonds, a tensor used twice, views inside
 * the graph, float64 conversion) and the engine's rules (accumulation, retainGraph, noGrad, detach,
 * requiresGrad propagation, errors). Tolerance for the goldens: atol 1e-5, rtol 1e-4 (float32).
 */
public class AutogradTest {
    static final Tol TOL = new Tol(1e-5, 1e-4);
    static final int END = Integer.MAX_VALUE;

    public static final Map<String, Op> CASES = new LinkedHashMap<>();

    static {
        CASES.put("ag.diamond", x -> x[0].exp().mul(x[0].sin()).add(x[0].exp().sqrt()));
        CASES.put("ag.used_twice", x -> x[0].matmul(x[1]).matmul(x[1]));
        CASES.put(
                "ag.views_in_graph",
                x -> x[0].t()
                        .reshape(-1)
                        .slice(0, 0, END, 2)
                        .mul(x[0].view(-1).slice(0, 1, END, 2))
                        .sum());
        CASES.put("ag.to_float64", x -> x[0].to(DType.FLOAT64).mul(3f).exp().sum());
        CASES.put(
                "ag.mixed_chain",
                x -> x[0].matmul(x[1]).add(x[2]).relu().pow(2f).mean(0, false));
    }

    @TestFactory
    Stream<DynamicTest> goldens() {
        return OpGolden.tests("ops", CASES, name -> TOL);
    }

    @Test
    void javaAndPythonListTheSameCases() {
        OpGolden.assertSameCases("ops", "ag.", CASES.keySet());
    }

    private static Tensor leaf(float... v) {
        return Torch.tensor(v, v.length).requiresGrad(true);
    }

    @Test
    void diamondSumsBothPaths() {
        Tensor x = leaf(1, 2, 3);
        Tensor a = x.mul(2f);
        Tensor b = x.mul(x);
        a.add(b).sum().backward(); // d/dx = 2 + 2x
        assertArrayEquals(new float[] {4, 6, 8}, x.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void tensorUsedTwiceInOneOp() {
        Tensor x = leaf(1, -2, 3);
        x.mul(x).mul(x).sum().backward(); // 3x^2
        assertArrayEquals(new float[] {3, 12, 27}, x.grad().toFloatArray(), 1e-5f);
    }

    @Test
    void gradientsThroughViewsReachTheBase() {
        Tensor x = Torch.arange(0.0, 6.0, 1.0).reshape(2, 3);
        Tensor leaf = x.detach().requiresGrad(true);
        // column 1 (via transpose + select) times 10, plus row 0 (via narrow)
        leaf.t().select(0, 1).mul(10f).sum().add(leaf.narrow(0, 0, 1).sum()).backward();
        assertArrayEquals(new float[] {1, 11, 1, 0, 10, 0}, leaf.grad().toFloatArray());
    }

    @Test
    void backwardWithExplicitGradientOnNonScalar() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x); // (3,)
        y.backward(Torch.tensor(new float[] {1, 0.5f, -1}, 3));
        assertArrayEquals(new float[] {2, 2, -6}, x.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void nonScalarBackwardWithoutGradientFails() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("backward") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void gradientOfTheWrongShapeFails() {
        Tensor y = leaf(1, 2, 3).mul(2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.backward(Torch.ones(2)));
        assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void secondBackwardThroughFreedGraphFailsUnlessRetained() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(x).sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("second time") && e.getMessage().contains("MulBackward0"), e.getMessage());

        Tensor x2 = leaf(1, 2);
        Tensor y2 = x2.mul(x2).sum();
        y2.backward(Torch.scalar(1f), true);
        y2.backward(Torch.scalar(1f), true);
        y2.backward();
        assertArrayEquals(new float[] {6, 12}, x2.grad().toFloatArray(), 1e-6f); // 3 passes of 2x
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(1, 2);
        x.mul(3f).sum().backward();
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {5, 7}, x.grad().toFloatArray(), 1e-6f); // 3 + 2x
        x.setGrad(null);
        x.sum().backward();
        assertArrayEquals(new float[] {1, 1}, x.grad().toFloatArray());
    }

    @Test
    void noGradScopeRecordsNothingAndRestoresTheMode() {
        Tensor x = leaf(1, 2);
        Tensor y;
        try (var g = Torch.noGrad()) {
            assertFalse(Torch.isGradEnabled());
            y = x.mul(2f);
            try (var e = Torch.enableGrad()) {
                assertTrue(x.mul(2f).requiresGrad());
            }
            assertFalse(Torch.isGradEnabled());
        }
        assertTrue(Torch.isGradEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(x.mul(2f).requiresGrad());
    }

    @Test
    void detachCutsTheGraphButSharesStorage() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(x);
        Tensor d = y.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertSame(TensorInternals.storage(y), TensorInternals.storage(d));
        y.mul(d).sum().backward(); // d is a constant: d/dx = 2x * d = 2x^3
        assertArrayEquals(new float[] {2, 16}, x.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void requiresGradPropagates() {
        Tensor a = leaf(1, 2);
        Tensor b = Torch.ones(2);
        assertFalse(b.mul(b).requiresGrad());
        Tensor c = a.add(b);
        assertTrue(c.requiresGrad());
        assertFalse(c.isLeaf());
        assertEquals("AddBackward0", c.gradFn().name());
        assertTrue(a.t().requiresGrad());
        assertTrue(a.unsqueeze(0).expand(3, 2).requiresGrad());
        assertFalse(a.gt(0f).requiresGrad(), "comparisons give bool tensors without grad");
        assertFalse(a.argmax().requiresGrad());
        b.add(c).sum().backward();
        assertNull(b.grad(), "b does not require grad");
        assertNotNull(a.grad());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.requiresGrad(false));
        assertTrue(e.getMessage().contains("requiresGrad") && e.getMessage().contains("AddBackward0"));
        assertThrows(IllegalArgumentException.class, () -> Torch.arange(3).requiresGrad(true));
    }

    @Test
    void float64ConversionGradientComesBackAsFloat32() {
        Tensor x = leaf(1, 2);
        Tensor y = x.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, y.dtype());
        y.mul(y).sum().backward();
        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new float[] {2, 4}, x.grad().toFloatArray());
        Tensor z = leaf(1, 2);
        assertSame(z, z.to(DType.FLOAT32));
        assertFalse(z.to(DType.INT64).requiresGrad());
    }

    @Test
    void backwardFromALeaf() {
        Tensor x = leaf(1, 2);
        x.backward(Torch.tensor(new float[] {3, 4}, 2));
        assertArrayEquals(new float[] {3, 4}, x.grad().toFloatArray());
    }

    @Test
    void gradientOnlyThroughTheDifferentiablePath() {
        Tensor x = leaf(1, 3, 2);
        var r = x.max(0, false);
        r.values().mul(r.indices().to(DType.FLOAT32).add(1f)).backward(); // values * (index + 1)
        assertArrayEquals(new float[] {0, 2, 0}, x.grad().toFloatArray());
    }
}
