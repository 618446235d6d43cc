package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Property-based tests of broadcasting and view semantics, checked against an explicit
 * index-by-index model rather than against other tensor ops.
 */
class BroadcastPropertiesTest {
    /** A broadcast pair: two shapes (each a suffix of some shape with dims set to 1) and their broadcast shape. */
    record Pair(int[] out, int[] a, int[] b) {}

    @Provide
    Arbitrary<Pair> broadcastPairs() {
        Arbitrary<int[]> outShape = Arbitraries.integers()
                .between(1, 4)
                .array(int[].class)
                .ofMinSize(0)
                .ofMaxSize(4);
        return outShape.flatMap(out ->
                Combinators.combine(operand(out), operand(out)).as((a, b) -> new Pair(modelBroadcast(a, b), a, b)));
    }

    /** The broadcast shape by the rule itself: align right, a missing dim or a 1 takes the other size. */
    private static int[] modelBroadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            out[i] = Math.max(da, db); // equal, or one of them is 1
        }
        return out;
    }

    /** A suffix of out with some dims replaced by 1 (every shape broadcastable to out arises this way). */
    private static Arbitrary<int[]> operand(int[] out) {
        return Combinators.combine(
                        Arbitraries.integers().between(0, out.length),
                        Arbitraries.integers().between(0, 15).list().ofSize(out.length))
                .as((len, ones) -> {
                    int[] s = new int[len];
                    for (int i = 0; i < len; i++) {
                        int d = out.length - len + i;
                        s[i] = ones.get(d) % 3 == 0 ? 1 : out[d];
                    }
                    return s;
                });
    }

    private static Tensor iota(int[] shape, double scale) {
        int n = Shape.numel(shape);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i + 1) * scale;
        }
        return Torch.tensor(v, shape);
    }

    /** Element of t (shape s) addressed by an index into the broadcast shape out. */
    private static double at(Tensor t, int[] out, int[] idx) {
        int[] s = t.shapeRef();
        int[] own = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            int d = out.length - s.length + i;
            own[i] = s[i] == 1 ? 0 : idx[d];
        }
        return t.getDouble(own);
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    @Property(tries = 150)
    void broadcastBinaryOpsFollowTheIndexModel(@ForAll("broadcastPairs") Pair p) {
        Tensor a = iota(p.a(), 1.0);
        Tensor b = iota(p.b(), 0.25);
        Tensor sum = a.add(b);
        Tensor prod = a.mul(b);
        assertArrayEquals(p.out(), sum.shape());
        assertArrayEquals(p.out(), Shape.broadcast("test", p.b(), p.a()), "broadcast is symmetric");
        double[] s = sum.toDoubleArray();
        double[] m = prod.toDoubleArray();
        for (int i = 0; i < s.length; i++) {
            int[] idx = unravel(i, p.out());
            assertEquals(at(a, p.out(), idx) + at(b, p.out(), idx), s[i], 0.0);
            assertEquals(at(a, p.out(), idx) * at(b, p.out(), idx), m[i], 1e-12);
        }
        // expand to the common shape gives the same values as implicit broadcasting
        assertArrayEquals(
                s, a.expand(p.out()).add(b.expand(p.out()).contiguous()).toDoubleArray(), 0.0);
    }

    @Property(tries = 150)
    void broadcastGradientIsSummedBackToEachInput(@ForAll("broadcastPairs") Pair p) {
        Tensor a = iota(p.a(), 1.0).requiresGrad(true);
        Tensor b = iota(p.b(), 0.5).requiresGrad(true);
        a.mul(b).sum().backward();
        assertArrayEquals(p.a(), a.grad().shape());
        assertArrayEquals(p.b(), b.grad().shape());
        // model: da[j] = sum over output positions that read a[j] of b at that position
        double[] expectA = new double[Shape.numel(p.a())];
        double[] expectB = new double[Shape.numel(p.b())];
        for (int i = 0; i < Shape.numel(p.out()); i++) {
            int[] idx = unravel(i, p.out());
            expectA[flatOf(p.a(), p.out(), idx)] += at(b.detach(), p.out(), idx);
            expectB[flatOf(p.b(), p.out(), idx)] += at(a.detach(), p.out(), idx);
        }
        assertArrayEquals(expectA, a.grad().toDoubleArray(), 1e-9);
        assertArrayEquals(expectB, b.grad().toDoubleArray(), 1e-9);
    }

    private static int flatOf(int[] s, int[] out, int[] idx) {
        int f = 0;
        for (int i = 0; i < s.length; i++) {
            int d = out.length - s.length + i;
            f = f * s[i] + (s[i] == 1 ? 0 : idx[d]);
        }
        return f;
    }

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers()
                .between(1, 4)
                .array(int[].class)
                .ofMinSize(1)
                .ofMaxSize(4);
    }

    @Property(tries = 100)
    void permuteAddressesTheSameElementsAndRoundTrips(@ForAll("shapes") int[] shape, @ForAll long seed) {
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            perm.add(i);
        }
        Collections.shuffle(perm, new java.util.Random(seed));
        int[] dims = perm.stream().mapToInt(Integer::intValue).toArray();
        Tensor x = iota(shape, 1.0);
        Tensor y = x.permute(dims);
        assertSame(x.storage(), y.storage());
        for (int i = 0; i < y.numel(); i++) {
            int[] idx = unravel(i, y.shapeRef());
            int[] src = new int[shape.length];
            for (int k = 0; k < dims.length; k++) {
                src[dims[k]] = idx[k];
            }
            assertEquals(x.getDouble(src), y.getDouble(idx), 0.0);
        }
        // reshape of a non-contiguous view = its row-major values; reshaping back restores them
        double[] flat = y.reshape(-1).toDoubleArray();
        assertArrayEquals(y.toDoubleArray(), flat, 0.0);
        assertArrayEquals(y.toDoubleArray(), y.reshape(-1).reshape(y.shape()).toDoubleArray(), 0.0);
        int[] inverse = new int[dims.length];
        for (int k = 0; k < dims.length; k++) {
            inverse[dims[k]] = k;
        }
        assertArrayEquals(x.toDoubleArray(), y.permute(inverse).toDoubleArray(), 0.0);
        assertArrayEquals(x.toDoubleArray(), y.contiguous().permute(inverse).toDoubleArray(), 0.0);
    }

    @Property(tries = 200)
    void sliceFollowsPythonSemantics(
            @ForAll @IntRange(min = 0, max = 9) int n,
            @ForAll @IntRange(min = -12, max = 12) int start,
            @ForAll @IntRange(min = -12, max = 12) int end,
            @ForAll @IntRange(min = 1, max = 4) int step) {
        Tensor x = Torch.arange(0.0, n, 1.0).to(DType.FLOAT64);
        if (n == 0) {
            x = Torch.zeros(DType.FLOAT64, 0);
        }
        Tensor y = x.slice(0, start, end, step);
        // Python: range(*slice(start, end, step).indices(n))
        int s = clamp(start < 0 ? start + n : start, n);
        int e = clamp(end < 0 ? end + n : end, n);
        List<Double> expected = new ArrayList<>();
        for (int i = s; i < e; i += step) {
            expected.add((double) i);
        }
        assertEquals(expected.size(), y.numel());
        double[] got = y.toDoubleArray();
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected.get(i), got[i], 0.0);
        }
        if (n > 0 && y.numel() > 0) {
            Tensor leaf = x.detach().requiresGrad(true);
            leaf.slice(0, start, end, step).sum().backward();
            double[] g = leaf.grad().toDoubleArray();
            for (int i = 0; i < n; i++) {
                assertEquals(expected.contains((double) i) ? 1.0 : 0.0, g[i], 0.0, "grad at " + i);
            }
        }
    }

    private static int clamp(int v, int n) {
        return Math.max(0, Math.min(v, n));
    }

    @Property(tries = 100)
    void viewAndReshapeAgreeOnContiguousTensors(
            @ForAll("shapes") int[] shape, @ForAll @IntRange(min = 0, max = 3) int k) {
        Tensor x = iota(shape, 1.0);
        int n = x.numel();
        // split n as (d, n / d) for a divisor d
        List<Integer> divisors = new ArrayList<>();
        for (int d = 1; d <= n; d++) {
            if (n % d == 0) {
                divisors.add(d);
            }
        }
        int d = divisors.get(k % divisors.size());
        Tensor v = x.view(d, -1);
        assertArrayEquals(new int[] {d, n / d}, v.shape());
        assertSame(x.storage(), v.storage());
        assertArrayEquals(x.toDoubleArray(), v.toDoubleArray(), 0.0);
        assertArrayEquals(x.toDoubleArray(), x.reshape(d, n / d).toDoubleArray(), 0.0);
        assertArrayEquals(shape, v.view(shape).shape());
    }
}
