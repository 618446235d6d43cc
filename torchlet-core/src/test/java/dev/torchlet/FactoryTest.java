package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Creation functions: zeros/ones/full/arange/linspace/eye against PyTorch (values and dtype), the
 * *Like functions, and the random factories (determinism under manualSeed, distribution sanity;
 * the random streams are not PyTorch's, so their values are not compared with it).
 */
class FactoryTest {
    /** linspace/arange values are computed in float32 by PyTorch; allow 1 ulp-ish differences. */
    static final Tol TOL = new Tol(1e-6, 1e-6);

    public static final Map<String, Op> CASES = new LinkedHashMap<>();

    private static void put(String name, Op op) {
        CASES.put(name, op);
    }

    static {
        put("create.zeros", x -> Torch.zeros(2, 3));
        put("create.ones", x -> Torch.ones(3, 2));
        put("create.full", x -> Torch.full(2.5f, 2, 3));
        put("create.arange_n", x -> Torch.arange(5));
        put("create.arange_step", x -> Torch.arange(1L, 10L, 3L));
        put("create.arange_neg_step", x -> Torch.arange(5L, -4L, -2L));
        put("create.arange_float", x -> Torch.arange(0.0, 1.0, 0.1));
        put("create.arange_float_neg", x -> Torch.arange(1.0, -1.0, -0.25));
        put("create.linspace", x -> Torch.linspace(0, 1, 5));
        put("create.linspace_odd", x -> Torch.linspace(-2, 3, 7));
        put("create.linspace_one", x -> Torch.linspace(3, 4, 1));
        put("create.linspace_long", x -> Torch.linspace(-1, 1.7, 101));
        put("create.eye", x -> Torch.eye(3));
        put("create.eye_rect", x -> Torch.eye(2, 4));
    }

    @TestFactory
    Stream<DynamicTest> goldens() {
        return OpGolden.tests("ops", CASES, name -> TOL);
    }

    @Test
    void javaAndPythonListTheSameCases() {
        OpGolden.assertSameCases("ops", "create.", CASES.keySet());
    }

    @Test
    void likeFunctionsKeepShapeAndDtype() {
        Tensor d = Torch.ones(DType.FLOAT64, 2, 3);
        Tensor z = Torch.zerosLike(d);
        Tensor o = Torch.onesLike(d.t());
        assertEquals(DType.FLOAT64, z.dtype());
        assertArrayEquals(new int[] {2, 3}, z.shape());
        assertArrayEquals(new double[6], z.toDoubleArray());
        assertArrayEquals(new int[] {3, 2}, o.shape());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, o.toDoubleArray());
        Torch.manualSeed(3);
        Tensor r = Torch.randLike(d);
        assertEquals(DType.FLOAT64, r.dtype());
        assertArrayEquals(new int[] {2, 3}, r.shape());
        for (double v : r.toDoubleArray()) {
            assertTrue(v >= 0 && v < 1, "randLike value " + v);
        }
        Tensor i = Torch.zerosLike(Torch.arange(4));
        assertEquals(DType.INT64, i.dtype());
        assertFalse(Torch.zerosLike(Torch.ones(2).requiresGrad(true)).requiresGrad());
    }

    @Test
    void sameSeedGivesSameNumbers() {
        Torch.manualSeed(42);
        float[] a = Torch.rand(100).toFloatArray();
        float[] b = Torch.randn(100).toFloatArray();
        long[] c = Torch.randint(-3, 7, 100).toLongArray();
        Torch.manualSeed(42);
        assertArrayEquals(a, Torch.rand(100).toFloatArray());
        assertArrayEquals(b, Torch.randn(100).toFloatArray());
        assertArrayEquals(c, Torch.randint(-3, 7, 100).toLongArray());
        Torch.manualSeed(43);
        assertFalse(java.util.Arrays.equals(a, Torch.rand(100).toFloatArray()), "a different seed, other numbers");
    }

    /** Moments of 20000 draws: tolerances are ~6 standard errors, so the test cannot flake for a fixed seed anyway. */
    @Test
    void distributionsHaveTheRightMoments() {
        Torch.manualSeed(7);
        int n = 20000;
        double[] u = Torch.rand(n).toDoubleArray();
        double[] g = Torch.randn(200, 100).toDoubleArray();
        long[] k = Torch.randint(-2, 3, n).toLongArray();
        double mu = 0, vu = 0, mg = 0, vg = 0;
        for (double v : u) {
            assertTrue(v >= 0 && v < 1);
            mu += v / n;
        }
        for (double v : u) {
            vu += (v - mu) * (v - mu) / n;
        }
        for (double v : g) {
            mg += v / n;
        }
        for (double v : g) {
            vg += (v - mg) * (v - mg) / n;
        }
        assertEquals(0.5, mu, 0.013);
        assertEquals(1.0 / 12, vu, 0.004);
        assertEquals(0.0, mg, 0.045);
        assertEquals(1.0, vg, 0.06);
        int[] counts = new int[5];
        for (long v : k) {
            assertTrue(v >= -2 && v < 3, "randint value " + v);
            counts[(int) v + 2]++;
        }
        for (int c : counts) {
            assertEquals(n / 5.0, c, 350, "randint bucket counts " + java.util.Arrays.toString(counts));
        }
        assertEquals(DType.INT64, Torch.randint(0, 2, 3).dtype());
        assertEquals(DType.FLOAT32, Torch.randn(3).dtype());
    }

    @Test
    void tensorFromDataAndScalar() {
        Tensor t = Torch.tensor(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(DType.FLOAT64, t.dtype());
        assertEquals(6.0, t.getDouble(1, 2));
        assertEquals(0, Torch.scalar(3f).dim());
        assertEquals(3f, Torch.scalar(3f).item());
        assertEquals(DType.BOOL, Torch.tensor(new boolean[] {true, false}, 2).dtype());
        assertArrayEquals(new int[] {0, 3}, Torch.zeros(0, 3).shape());
        assertEquals(0, Torch.arange(0).numel());
        assertThrows(IllegalArgumentException.class, () -> Torch.tensor(new float[] {1, 2, 3}, 2, 2));
    }
}
