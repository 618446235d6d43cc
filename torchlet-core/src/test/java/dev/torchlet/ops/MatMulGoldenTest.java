package dev.torchlet.ops;

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
 * matmul against PyTorch for every operand-rank combination (1-D/2-D/batched, broadcast batch dims
 * like (2,1,3,4) @ (5,4,2)) and for transposed, sliced, expanded and permuted views as operands.
 * Tolerance: atol 1e-5, rtol 1e-4 (float32; inner sizes are at most 5).
 */
public class MatMulGoldenTest {
    static final Tol TOL = new Tol(1e-5, 1e-4);
    static final int END = Integer.MAX_VALUE;

    public static final Map<String, Op> CASES = new LinkedHashMap<>();

    private static void put(String name, Op op) {
        CASES.put(name, op);
    }

    static {
        put("mm.dot", x -> x[0].matmul(x[1]));
        put("mm.vm", x -> x[0].matmul(x[1]));
        put("mm.mv", x -> x[0].matmul(x[1]));
        put("mm.mm", x -> x[0].matmul(x[1]));
        put("mm.bmm", x -> x[0].matmul(x[1]));
        put("mm.bcast", x -> x[0].matmul(x[1]));
        put("mm.batched_mv", x -> x[0].matmul(x[1]));
        put("mm.vec_batched", x -> x[0].matmul(x[1]));
        put("mm.batched_2d", x -> x[0].matmul(x[1]));
        put("mm.tA", x -> x[0].t().matmul(x[1]));
        put("mm.tB", x -> x[0].matmul(x[1].t()));
        put("mm.tAB", x -> x[0].t().matmul(x[1].t()));
        put("mm.bmm_transposed", x -> x[0].transpose(1, 2).matmul(x[1].transpose(-1, -2)));
        put("mm.sliced", x -> x[0].slice(1, 0, END, 2).matmul(x[1].slice(0, 1, END)));
        put("mm.expanded", x -> x[0].expand(2, 3, 4).matmul(x[1]));
        put("mm.permuted", x -> x[0].permute(1, 0, 2).matmul(x[1]));
    }

    @TestFactory
    Stream<DynamicTest> goldens() {
        return OpGolden.tests("ops", CASES, name -> TOL);
    }

    @Test
    void javaAndPythonListTheSameCases() {
        OpGolden.assertSameCases("ops", "mm.", CASES.keySet());
    }
}
