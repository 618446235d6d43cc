package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Indexing ops against PyTorch goldens (golden/indexing.safetensors from tools/golden/gen_indexing.py):
 * forward values and the gradients of backward(g) for a stored upstream g. Forward results are
 * copies of input values, so they must match exactly; gradients that sum several contributions
 * (scatter_add, index_add) may differ in the last bit, hence atol 1e-6, rtol 1e-5.
 */
class IndexingTest {
    private static final String F = "indexing";
    private static final double ATOL = 1e-6;
    private static final double RTOL = 1e-5;

    private static Tensor g(String key) {
        return Golden.get(F, key);
    }

    /** A fresh leaf requiring grad, holding the fixture's values (the cached fixture stays untouched). */
    private static Tensor leaf(String key) {
        return g(key).clone().requiresGrad(true);
    }

    /** Compares out with CASE.out, runs backward(CASE.g) and compares each leaf's grad with CASE.g<name>. */
    private static void check(String c, Tensor out, String[] names, Tensor... leaves) {
        Golden.assertClose(g(c + ".out"), out, 0, 0, c + " forward");
        assertEquals(g(c + ".out").dtype(), out.dtype(), c + " dtype");
        out.backward(g(c + ".g"));
        for (int i = 0; i < leaves.length; i++) {
            Golden.assertClose(g(c + ".g" + names[i]), leaves[i].grad(), ATOL, RTOL, c + " grad " + names[i]);
        }
    }

    private static void check(String c, Tensor out, Tensor x) {
        check(c, out, new String[] {"x"}, x);
    }

    // ---------------------------------------------------------------- goldens

    @Test
    void indexSelect() {
        Tensor x = leaf("index_select0.x");
        check("index_select0", x.indexSelect(0, g("index_select0.idx")), x);
        x = leaf("index_select_neg.x");
        check("index_select_neg", x.indexSelect(-1, g("index_select_neg.idx")), x);
        x = leaf("index_select_t.x");
        check("index_select_t", x.t().indexSelect(1, g("index_select_t.idx")), x);
        x = leaf("index_select3d.x");
        Tensor out = x.indexSelect(1, g("index_select3d.idx"));
        assertEquals("IndexSelectBackward0", out.gradFn().name());
        check("index_select3d", out, x);
    }

    @Test
    void gather() {
        Tensor x = leaf("gather1.x");
        Tensor out = x.gather(1, g("gather1.idx"));
        assertEquals("GatherBackward0", out.gradFn().name());
        check("gather1", out, x);
        x = leaf("gather0.x");
        check("gather0", x.gather(0, g("gather0.idx")), x);
        x = leaf("gather_t.x");
        check("gather_t", x.t().gather(-1, g("gather_t.idx")), x);
        x = leaf("gather3d.x");
        check("gather3d", x.gather(1, g("gather3d.idx")), x);
    }

    @Test
    void scatterAndScatterAdd() {
        String[] names = {"x", "src"};
        Tensor x = leaf("scatter1.x");
        Tensor src = leaf("scatter1.src");
        Tensor out = x.scatter(1, g("scatter1.idx"), src);
        assertEquals("ScatterBackward0", out.gradFn().name());
        check("scatter1", out, names, x, src);
        x = leaf("scatter0.x");
        src = leaf("scatter0.src");
        check("scatter0", x.scatter(0, g("scatter0.idx"), src), names, x, src);
        x = leaf("scatter_add1.x");
        src = leaf("scatter_add1.src");
        out = x.scatterAdd(1, g("scatter_add1.idx"), src);
        assertEquals("ScatterAddBackward0", out.gradFn().name());
        check("scatter_add1", out, names, x, src);
        x = leaf("scatter_add_t.x");
        src = leaf("scatter_add_t.src");
        check("scatter_add_t", x.t().scatterAdd(-1, g("scatter_add_t.idx"), src), names, x, src);
    }

    @Test
    void scatterWithSrcLargerThanIndex() {
        Tensor x = g("scatter_big.x");
        Tensor src = g("scatter_big.src");
        Tensor idx = g("scatter_big.idx");
        Golden.assertClose(g("scatter_big.out"), x.scatter(1, idx, src), 0, 0, "scatter, big src");
        Golden.assertClose(g("scatter_add_big.out"), x.scatterAdd(1, idx, src), 0, 0, "scatter_add, big src");
        // PyTorch rejects the src gradient here; Torchlet zero-pads g.gather(dim, index) to src's shape
        Tensor s = src.clone().requiresGrad(true);
        x.scatter(1, idx, s).sum().backward();
        float[] gs = s.grad().toFloatArray();
        assertEquals(24, gs.length);
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0}, java.util.Arrays.copyOf(gs, 12));
    }

    @Test
    void maskedFillAndSelect() {
        Tensor x = leaf("masked_fill.x");
        Tensor out = x.maskedFill(g("masked_fill.mask"), -1.5f);
        assertEquals("MaskedFillBackward0", out.gradFn().name());
        check("masked_fill", out, x);
        x = leaf("masked_fill_bx.x");
        check("masked_fill_bx", x.maskedFill(g("masked_fill_bx.mask"), 7f), x);
        x = leaf("masked_select.x");
        out = x.maskedSelect(g("masked_select.mask"));
        assertEquals("MaskedSelectBackward0", out.gradFn().name());
        check("masked_select", out, x);
        x = leaf("masked_select_t.x");
        check("masked_select_t", x.t().maskedSelect(g("masked_select_t.mask")), x);
    }

    @Test
    void where() {
        String[] names = {"a", "b"};
        Tensor a = leaf("where.a");
        Tensor b = leaf("where.b");
        Tensor out = Torch.where(g("where.cond"), a, b);
        assertEquals("WhereBackward0", out.gradFn().name());
        check("where", out, names, a, b);
        a = leaf("where_promote.a");
        b = leaf("where_promote.b");
        out = Torch.where(g("where_promote.cond"), a, b);
        assertEquals(DType.FLOAT64, out.dtype());
        check("where_promote", out, names, a, b);
        assertEquals(DType.FLOAT32, a.grad().dtype());
    }

    @Test
    void whereOnIntegers() {
        Tensor cond = Torch.tensor(new boolean[] {true, false, true}, 3);
        Tensor a = Torch.tensor(new long[] {Long.MAX_VALUE, 2, 3}, 3);
        Tensor b = Torch.tensor(new long[] {-1}, 1);
        assertArrayEquals(
                new long[] {Long.MAX_VALUE, -1, 3}, Torch.where(cond, a, b).toLongArray());
    }

    @Test
    void oneHot() {
        Tensor idx = g("one_hot.idx");
        Tensor out = Torch.oneHot(idx, 5);
        assertEquals(DType.INT64, out.dtype());
        assertArrayEquals(g("one_hot.out5").shape(), out.shape());
        assertArrayEquals(g("one_hot.out5").toLongArray(), out.toLongArray());
        Tensor inferred = Torch.oneHot(idx, -1);
        assertArrayEquals(g("one_hot.outInfer").shape(), inferred.shape());
        assertArrayEquals(g("one_hot.outInfer").toLongArray(), inferred.toLongArray());
        // non-contiguous indices
        assertArrayEquals(
                Torch.oneHot(idx.t().contiguous(), 5).toLongArray(),
                Torch.oneHot(idx.t(), 5).toLongArray());
    }

    @Test
    void scalarInputs() {
        Tensor s = Torch.scalar(3f);
        Tensor zero = Torch.tensor(new long[] {0}, 1);
        assertEquals(0, s.indexSelect(0, zero).dim());
        assertEquals(3f, s.indexSelect(0, zero).item());
        assertEquals(3f, s.gather(0, zero.reshape()).item());
        assertEquals(5f, s.scatter(0, zero.reshape(), Torch.scalar(5f)).item());
        assertEquals(8f, s.scatterAdd(0, zero.reshape(), Torch.scalar(5f)).item());
    }

    @Test
    void emptyIndex() {
        Tensor x = Torch.randn(3, 4);
        Tensor none = Torch.zeros(DType.INT64, 0);
        assertArrayEquals(new int[] {3, 0}, x.indexSelect(1, none).shape());
        assertArrayEquals(
                new int[] {3, 0}, x.gather(1, Torch.zeros(DType.INT64, 3, 0)).shape());
        assertArrayEquals(
                new int[] {0}, x.maskedSelect(Torch.zeros(DType.BOOL, 3, 4)).shape());
    }

    // ---------------------------------------------------------------- gradcheck (float64)

    private static Tensor idx(long[] v, int... shape) {
        return Torch.tensor(v, shape);
    }

    private static void gradcheck(String what, Function<Tensor[], Tensor> f, Tensor... in) {
        GradCheck.check(what, f, in);
    }

    @Test
    void gradcheckIndexSelect() {
        Tensor index = idx(new long[] {2, 0, 2, 1}, 4);
        gradcheck(
                "indexSelect dim -1 of transposed",
                x -> x[0].t().indexSelect(-1, index),
                Torch.randn(3, 4).requiresGrad(true));
        gradcheck(
                "indexSelect dim 1 of 3-d",
                x -> x[0].indexSelect(1, index),
                Torch.randn(2, 3, 2).requiresGrad(true));
    }

    @Test
    void gradcheckGather() {
        Tensor index = idx(new long[] {0, 2, 2, 1, 1, 1, 0, 0, 2}, 3, 3);
        gradcheck(
                "gather dim -2", x -> x[0].gather(-2, index), Torch.randn(3, 4).requiresGrad(true));
        gradcheck(
                "gather dim 1 of transposed",
                x -> x[0].t().gather(1, index),
                Torch.randn(3, 3).requiresGrad(true));
    }

    @Test
    void gradcheckScatter() {
        Tensor unique = idx(new long[] {3, 0, 1, 2, 4, 0}, 2, 3);
        Tensor dup = idx(new long[] {3, 3, 1, 0, 0, 0}, 2, 3);
        gradcheck(
                "scatter dim 1",
                x -> x[0].scatter(1, unique, x[1]),
                Torch.randn(3, 5).requiresGrad(true),
                Torch.randn(2, 3).requiresGrad(true));
        gradcheck(
                "scatter into transposed, dim -1",
                x -> x[0].t().scatter(-1, unique, x[1].t()),
                Torch.randn(5, 2).requiresGrad(true),
                Torch.randn(3, 2).requiresGrad(true));
        gradcheck(
                "scatterAdd dim 1 with duplicates",
                x -> x[0].scatterAdd(1, dup, x[1]),
                Torch.randn(2, 5).requiresGrad(true),
                Torch.randn(2, 4).requiresGrad(true));
    }

    @Test
    void gradcheckMasks() {
        Tensor mask = Torch.tensor(new boolean[] {true, false, false, true}, 4, 1);
        gradcheck(
                "maskedFill broadcast mask",
                x -> x[0].maskedFill(mask, 2f),
                Torch.randn(4, 3).requiresGrad(true));
        gradcheck(
                "maskedFill broadcast input",
                x -> x[0].maskedFill(mask, 2f),
                Torch.randn(1, 3).requiresGrad(true));
        gradcheck(
                "maskedSelect transposed",
                x -> x[0].t().maskedSelect(mask),
                Torch.randn(3, 4).requiresGrad(true));
        Tensor cond = Torch.tensor(new boolean[] {true, false, true, false, false, true}, 2, 3);
        gradcheck(
                "where broadcast",
                x -> Torch.where(cond, x[0], x[1].t()),
                Torch.randn(3).requiresGrad(true),
                Torch.randn(3, 2).requiresGrad(true));
    }

    // ---------------------------------------------------------------- bad input

    private static void assertMessage(Executable e, String... parts) {
        RuntimeException ex = assertThrows(RuntimeException.class, e);
        for (String p : parts) {
            assertTrue(
                    ex.getMessage() != null && ex.getMessage().contains(p),
                    "message '" + ex.getMessage() + "' should contain '" + p + "'");
        }
        assertTrue(
                ex instanceof IllegalArgumentException || ex instanceof IndexOutOfBoundsException,
                "unexpected exception type " + ex.getClass());
    }

    @Test
    void badIndices() {
        Tensor x = Torch.randn(3, 4);
        assertMessage(
                () -> x.indexSelect(0, Torch.tensor(new float[] {0}, 1)), "index_select", "int64", "torch.float32");
        assertMessage(() -> x.indexSelect(0, idx(new long[] {1, 3}, 2)), "index_select", "index 3", "dim 0", "size 3");
        assertMessage(() -> x.indexSelect(-1, idx(new long[] {-1}, 1)), "index_select", "index -1", "dim 1", "size 4");
        assertMessage(() -> x.indexSelect(0, idx(new long[] {0, 1}, 1, 2)), "index_select", "1-D", "[1, 2]");
        assertMessage(() -> x.indexSelect(2, idx(new long[] {0}, 1)), "index_select", "dim 2", "rank 2");
        assertMessage(() -> x.gather(1, idx(new long[] {0, 4}, 1, 2)), "gather", "index 4", "dim 1", "size 4");
        assertMessage(() -> x.gather(0, idx(new long[] {-2}, 1, 1)), "gather", "index -2", "dim 0", "size 3");
        assertMessage(() -> x.gather(1, idx(new long[] {0}, 1)), "gather", "[1]", "[3, 4]", "same number of dims");
        assertMessage(() -> x.gather(1, Torch.zeros(DType.INT64, 4, 1)), "gather", "[4, 1]", "[3, 4]", "dim 0");
        assertMessage(
                () -> x.scatter(1, idx(new long[] {0}, 1, 1), Torch.zeros(DType.FLOAT64, 1, 1)),
                "scatter",
                "torch.float64",
                "torch.float32");
        assertMessage(
                () -> x.scatter(1, idx(new long[] {0, 1}, 1, 2), Torch.zeros(1, 1)),
                "scatter",
                "src",
                "[1, 1]",
                "[1, 2]");
        assertMessage(
                () -> x.scatterAdd(1, idx(new long[] {0, 9}, 1, 2), Torch.zeros(1, 2)),
                "scatter_add",
                "index 9",
                "dim 1",
                "size 4");
    }

    @Test
    void badMasksAndClasses() {
        Tensor x = Torch.randn(3, 4);
        assertMessage(() -> x.maskedFill(Torch.zeros(3, 4), 1f), "masked_fill", "bool", "torch.float32");
        assertMessage(() -> x.maskedFill(Torch.zeros(DType.BOOL, 3, 2), 1f), "masked_fill", "[3, 4]", "[3, 2]");
        assertMessage(() -> x.maskedSelect(Torch.zeros(DType.INT64, 4)), "masked_select", "bool", "torch.int64");
        assertMessage(() -> Torch.where(Torch.zeros(3, 4), x, x), "where", "bool", "torch.float32");
        assertMessage(() -> Torch.where(Torch.zeros(DType.BOOL, 2), x, x), "where", "[2]", "[3, 4]");
        Tensor labels = idx(new long[] {0, 3, 1}, 3);
        assertMessage(() -> Torch.oneHot(labels, 3), "one_hot", "class value 3", "numClasses 3");
        assertMessage(() -> Torch.oneHot(idx(new long[] {-1}, 1), 3), "one_hot", "non-negative", "-1");
        assertMessage(() -> Torch.oneHot(Torch.zeros(3), 3), "one_hot", "int64", "torch.float32");
        assertMessage(() -> Torch.oneHot(Torch.zeros(DType.INT64, 0), -1), "one_hot", "empty");
    }
}
