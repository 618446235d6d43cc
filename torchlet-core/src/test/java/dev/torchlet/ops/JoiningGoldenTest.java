package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.testing.OpGolden;
import dev.torchlet.testing.OpGolden.Op;
import dev.torchlet.testing.OpGolden.Tol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** cat, stack, split and chunk against PyTorch, incl. non-contiguous inputs. Copies only: exact (0). */
public class JoiningGoldenTest {
    static final Tol EXACT = new Tol(0, 0);
    static final int END = Integer.MAX_VALUE;

    public static final Map<String, Op> CASES = new LinkedHashMap<>();

    private static void put(String name, Op op) {
        CASES.put(name, op);
    }

    static {
        put("join.cat0", x -> Torch.cat(List.of(x[0], x[1]), 0));
        put("join.cat1", x -> Torch.cat(List.of(x[0], x[1], x[2]), 1));
        put("join.cat_neg", x -> Torch.cat(List.of(x[0], x[1]), -1));
        put("join.cat_nc", x -> Torch.cat(List.of(x[0].t(), x[1].slice(1, 0, END, 2)), 0));
        put("join.cat_int", x -> Torch.cat(List.of(x[0], x[1]), 0));
        put("join.stack0", x -> Torch.stack(List.of(x[0], x[1]), 0));
        put("join.stack1", x -> Torch.stack(List.of(x[0], x[1], x[2]), 1));
        put("join.stack_neg", x -> Torch.stack(List.of(x[0], x[1]), -1));
        put("join.split", x -> x[0].split(2, 1));
        put("join.split_sizes", x -> x[0].split(new int[] {1, 3, 2}, 0));
        put("join.chunk", x -> x[0].chunk(3, 0));
        put("join.chunk_fewer", x -> x[0].chunk(4, 1));
    }

    @TestFactory
    Stream<DynamicTest> goldens() {
        return OpGolden.tests("ops", CASES, name -> EXACT);
    }

    @Test
    void javaAndPythonListTheSameCases() {
        OpGolden.assertSameCases("ops", "join.", CASES.keySet());
    }

    @Test
    void splitPiecesAreViews() {
        Tensor x = Torch.zeros(4, 6);
        List<Tensor> parts = x.split(4, 1);
        assertEquals(2, parts.size());
        for (Tensor p : parts) {
            assertSame(TensorInternals.storage(x), TensorInternals.storage(p));
        }
    }
}
