package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input throws an exception of a meaningful type (never a bare ArrayIndexOutOfBounds or
 * NullPointerException) whose message names the op and the offending shapes or values.
 */
class BadInputTest {
    static final Tensor A23 = Torch.ones(2, 3);
    static final Tensor B4 = Torch.ones(4);

    /** Asserts that body throws type (or a subclass) with every fragment in its message. */
    private static void expect(Class<? extends RuntimeException> type, Executable body, String... fragments) {
        RuntimeException e = assertThrows(type, body);
        String m = e.getMessage();
        assertTrue(m != null, "no message: " + e);
        for (String f : fragments) {
            assertTrue(m.contains(f), "message '" + m + "' should mention '" + f + "'");
        }
    }

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;

    @Test
    void broadcastingMismatchNamesOpAndShapes() {
        expect(IAE, () -> A23.add(B4), "add", "[2, 3]", "[4]");
        expect(IAE, () -> A23.sub(B4), "sub", "[2, 3]", "[4]");
        expect(IAE, () -> A23.mul(B4), "mul", "[2, 3]", "[4]");
        expect(IAE, () -> A23.div(B4), "div", "[2, 3]", "[4]");
        expect(IAE, () -> A23.pow(B4), "pow", "[2, 3]", "[4]");
        expect(IAE, () -> A23.maximum(B4), "maximum", "[2, 3]", "[4]");
        expect(IAE, () -> A23.minimum(B4), "minimum", "[2, 3]", "[4]");
        expect(IAE, () -> A23.eq(B4), "eq", "[2, 3]", "[4]");
        expect(IAE, () -> A23.ge(B4), "ge", "[2, 3]", "[4]");
    }

    @Test
    void matmul() {
        expect(IAE, () -> Torch.ones(2, 3).matmul(Torch.ones(4, 5)), "matmul", "[2, 3] @ [4, 5]", "3 != 4");
        expect(IAE, () -> Torch.ones(3).matmul(Torch.ones(4, 5)), "matmul", "[3] @ [4, 5]", "3 != 4");
        expect(IAE, () -> Torch.ones(2, 3).matmul(Torch.ones(4)), "matmul", "[2, 3] @ [4]", "3 != 4");
        expect(IAE, () -> Torch.ones(3).matmul(Torch.ones(4)), "matmul", "[3] @ [4]");
        expect(IAE, () -> Torch.ones(2, 3, 4).matmul(Torch.ones(3, 4, 5)), "matmul", "[2, 3, 4]", "[3, 4, 5]");
        expect(IAE, () -> Torch.scalar(1f).matmul(Torch.ones(2)), "matmul", "[]", "[2]");
        expect(
                IAE,
                () -> Torch.ones(2, 2).matmul(Torch.ones(DType.FLOAT64, 2, 2)),
                "matmul",
                "torch.float32",
                "torch.float64",
                "[2, 2]");
        expect(IAE, () -> Torch.arange(4).reshape(2, 2).matmul(Torch.arange(4).reshape(2, 2)), "matmul", "torch.int64");
    }

    @Test
    void views() {
        Tensor x = Torch.ones(3, 4);
        expect(IAE, () -> x.t().view(12), "view", "[12]", "[4, 3]", "reshape");
        expect(IAE, () -> x.view(5), "view", "[5]", "[3, 4]");
        expect(IAE, () -> x.reshape(-1, -1), "reshape", "-1");
        expect(IAE, () -> x.reshape(-1, 5), "reshape", "[-1, 5]", "[3, 4]");
        expect(IOOBE, () -> x.transpose(0, 2), "transpose", "dim 2", "rank 2");
        expect(IAE, () -> x.permute(0), "permute", "[3, 4]", "[0]");
        expect(IAE, () -> x.permute(1, 1), "permute", "repeat");
        expect(IAE, () -> Torch.ones(2, 3, 4).t(), "t", "[2, 3, 4]");
        expect(IAE, () -> Torch.ones(3, 1).expand(4, 4), "expand", "[3, 1]", "[4, 4]");
        expect(IAE, () -> x.expand(4), "expand", "[4]", "[3, 4]");
        expect(IOOBE, () -> x.narrow(1, 3, 2), "narrow", "3", "2", "size 4");
        expect(IOOBE, () -> x.select(0, 3), "select", "index 3", "size 3");
        expect(IOOBE, () -> x.select(0, -4), "select", "index -4");
        expect(IAE, () -> x.slice(1, 0, 4, 0), "slice", "step", "0");
        expect(IOOBE, () -> x.squeeze(2), "squeeze", "dim 2");
        expect(IOOBE, () -> x.unsqueeze(3), "unsqueeze", "dim 3");
        expect(IAE, () -> Torch.ones(2, 3, 4).flatten(2, 1), "flatten", "2", "1");
        expect(IAE, () -> Torch.scalar(1f).select(0, 0), "select", "0-dim");
        expect(IOOBE, () -> x.size(2), "size", "dim 2");
        expect(IAE, () -> x.getDouble(1), "get", "[3, 4]");
        expect(IOOBE, () -> x.getDouble(3, 0), "get", "index 3", "size 3");
    }

    @Test
    void reductions() {
        Tensor x = Torch.ones(3, 4);
        expect(IOOBE, () -> x.sum(2, false), "sum", "dim 2", "rank 2");
        expect(IAE, () -> x.sum(new int[] {1, -1}, false), "sum", "dim 1", "multiple");
        expect(IOOBE, () -> x.mean(-3, false), "mean", "dim -3");
        expect(IAE, () -> Torch.arange(4).mean(), "mean", "floating-point", "torch.int64");
        expect(IAE, () -> Torch.arange(4).var(), "var", "torch.int64");
        expect(IOOBE, () -> x.max(2, false), "max", "dim 2");
        expect(IOOBE, () -> x.argmin(-3), "min", "dim -3");
        expect(IAE, () -> Torch.zeros(0, 3).max(), "max", "[0, 3]");
        expect(IAE, () -> Torch.zeros(0, 3).max(0, false), "max", "size 0", "[0, 3]");
        expect(IAE, () -> Torch.zeros(0).argmax(), "max", "[0]");
        expect(IAE, () -> Torch.arange(4).logsumexp(0, false), "logsumexp", "torch.int64");
        expect(IOOBE, () -> x.logsumexp(2, false), "logsumexp", "dim 2");
        expect(IAE, () -> x.norm(-1f), "norm", "-1");
        expect(IOOBE, () -> x.norm(2f, 5, false), "norm", "dim 5");
        expect(IOOBE, () -> x.prod(2, false), "prod", "dim 2");
    }

    @Test
    void elementwiseArguments() {
        expect(IAE, () -> A23.clamp(Float.NaN, Float.NaN), "clamp");
        expect(IAE, () -> A23.gelu("fast"), "gelu", "fast");
        expect(IAE, () -> Torch.tensor(new boolean[] {true}, 1).neg(), "neg", "bool");
        expect(
                IAE,
                () -> Torch.tensor(new boolean[] {true}, 1).sub(Torch.tensor(new boolean[] {true}, 1)),
                "sub",
                "bool");
    }

    @Test
    void joining() {
        expect(IAE, () -> Torch.cat(List.of(A23, Torch.ones(2, 4)), 0), "cat", "[2, 4]", "[2, 3]", "dim 0");
        expect(IAE, () -> Torch.cat(List.of(A23, B4), 0), "cat", "[4]", "[2, 3]");
        expect(IAE, () -> Torch.cat(List.of(), 0), "cat", "empty");
        expect(IOOBE, () -> Torch.cat(List.of(A23, A23), 2), "cat", "dim 2");
        expect(IAE, () -> Torch.cat(List.of(Torch.scalar(1f)), 0), "cat", "zero-dim");
        expect(IAE, () -> Torch.stack(List.of(A23, Torch.ones(3, 2)), 0), "stack", "[2, 3]", "[3, 2]");
        expect(IOOBE, () -> Torch.stack(List.of(A23, A23), 3), "stack", "dim 3");
        expect(IAE, () -> A23.split(new int[] {1, 1}, 1), "split", "[1, 1]", "3");
        expect(IAE, () -> A23.split(0, 1), "split", "0");
        expect(IAE, () -> A23.chunk(0, 1), "chunk", "0");
    }

    @Test
    void autograd() {
        Tensor x = Torch.ones(3).requiresGrad(true);
        expect(ISE, () -> x.mul(2f).backward(), "backward", "[3]");
        expect(IAE, () -> x.mul(2f).backward(Torch.ones(2)), "backward", "[2]", "[3]");
        expect(ISE, () -> Torch.ones(1).backward(), "backward", "require");
        expect(IAE, () -> Torch.arange(3).requiresGrad(true), "requiresGrad", "torch.int64");
        expect(ISE, () -> x.mul(2f).requiresGrad(false), "requiresGrad", "MulBackward");
        expect(IAE, () -> x.setGrad(Torch.ones(2)), "setGrad", "[2]", "[3]");
        expect(ISE, () -> A23.item(), "item", "[2, 3]");
    }

    @Test
    void factories() {
        expect(IAE, () -> Torch.tensor(new float[] {1, 2, 3}, 2, 2), "tensor", "3", "[2, 2]");
        expect(IAE, () -> Torch.zeros(2, -1), "zeros", "[2, -1]");
        expect(IAE, () -> Torch.ones(-3), "[-3]");
        expect(IAE, () -> Torch.full(1f, -1, 2), "full", "[-1, 2]");
        expect(IAE, () -> Torch.rand(-1), "rand", "[-1]");
        expect(IAE, () -> Torch.randn(2, -2), "randn", "[2, -2]");
        expect(IAE, () -> Torch.arange(0L, 5L, 0L), "arange", "step");
        expect(IAE, () -> Torch.arange(0L, 5L, -1L), "arange", "0", "5", "-1");
        expect(IAE, () -> Torch.arange(-1), "arange", "-1");
        expect(IAE, () -> Torch.arange(0.0, 1.0, -0.1), "arange", "-0.1");
        expect(IAE, () -> Torch.arange(0.0, 1.0, 0.0), "arange", "step");
        expect(IAE, () -> Torch.linspace(0, 1, -1), "linspace", "-1");
        expect(IAE, () -> Torch.randint(3, 3, 2), "randint", "lo=3", "hi=3");
        expect(IAE, () -> Torch.eye(-1), "eye", "-1");
        expect(IAE, () -> Torch.eye(2, -3), "eye", "-3");
        expect(IAE, () -> Torch.randLike(Torch.arange(3)), "randLike", "torch.int64");
        expect(IAE, () -> Torch.randnLike(Torch.arange(3)), "randnLike", "torch.int64");
        expect(IAE, () -> Torch.randperm(-1), "randperm", "-1");
    }
}
