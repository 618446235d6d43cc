package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.autograd.AutogradTest;
import dev.torchlet.ops.ElementwiseGoldenTest;
import dev.torchlet.ops.JoiningGoldenTest;
import dev.torchlet.ops.MatMulGoldenTest;
import dev.torchlet.ops.ReductionGoldenTest;
import dev.torchlet.ops.ViewGoldenTest;
import dev.torchlet.testing.GradCheck;
import dev.torchlet.testing.OpGolden;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Float64 finite-difference gradient checks of every differentiable op: every golden case for
 * which PyTorch computed gradients is re-run in float64 at the fixture's inputs and its backward
 * compared with central differences (eps 1e-6, atol 1e-5, rtol 1e-3, torch.autograd.gradcheck's
 * defaults). Cases named {@code *_kink} sit on purpose at points where the op is not
 * differentiable (ties, |x| at 0, clamp bounds, zero norms): there finite differences are
 * meaningless, and those cases are covered by the PyTorch goldens only.
 */
class GradCheckAllOpsTest {
    static Map<String, OpGolden.Op> allCases() {
        Map<String, OpGolden.Op> all = new LinkedHashMap<>();
        all.putAll(ElementwiseGoldenTest.CASES);
        all.putAll(ReductionGoldenTest.CASES);
        all.putAll(MatMulGoldenTest.CASES);
        all.putAll(ViewGoldenTest.CASES);
        all.putAll(JoiningGoldenTest.CASES);
        all.putAll(AutogradTest.CASES);
        return all;
    }

    @TestFactory
    Stream<DynamicTest> everyDifferentiableGoldenCase() {
        return allCases().entrySet().stream()
                .filter(e -> !e.getKey().endsWith("_kink") && OpGolden.hasGradients("ops", e.getKey()))
                .map(e ->
                        DynamicTest.dynamicTest(e.getKey(), () -> OpGolden.gradCheck("ops", e.getKey(), e.getValue())));
    }

    @Test
    void mostCasesAreGradChecked() {
        long checked = allCases().keySet().stream()
                .filter(n -> !n.endsWith("_kink") && OpGolden.hasGradients("ops", n))
                .count();
        assertTrue(checked >= 150, "only " + checked + " cases gradchecked");
    }

    private static Tensor randn64(long seed, int... shape) {
        Torch.manualSeed(seed);
        return Torch.randn(shape).to(DType.FLOAT64).requiresGrad(true);
    }

    /** Composites and parameters not in the golden set, at random float64 points. */
    @Test
    void extraCompositions() {
        GradCheck.check("var over all dims keepDim", x -> x[0].var(null, 0, true), randn64(1, 2, 3));
        GradCheck.check("std of a transposed view", x -> x[0].t().std(new int[] {0}, 1, false), randn64(2, 3, 4));
        GradCheck.check("norm p=1.5 along dim", x -> x[0].norm(1.5f, 1, false), randn64(3, 3, 4));
        GradCheck.check("norm p=0.5", x -> x[0].norm(0.5f), randn64(4, 5));
        GradCheck.check(
                "prod over two dims",
                x -> dev.torchlet.ops.Reductions.prod(x[0], new int[] {0, 2}, false),
                randn64(5, 2, 3, 2));
        GradCheck.check(
                "pow(tensor) broadcast both ways",
                x -> x[0].abs().add(0.5f).pow(x[1]),
                randn64(6, 3, 1),
                randn64(7, 1, 4));
        GradCheck.check("maximum with broadcasting", x -> x[0].maximum(x[1]), randn64(8, 2, 3), randn64(9, 3));
        GradCheck.check(
                "batched matmul with broadcast of both sides",
                x -> x[0].matmul(x[1]),
                randn64(10, 2, 1, 3, 4),
                randn64(11, 5, 4, 2));
        GradCheck.check(
                "logsumexp over a permuted view", x -> x[0].permute(2, 0, 1).logsumexp(0, false), randn64(12, 2, 3, 4));
        GradCheck.check("gelu exact on a wide range", x -> x[0].mul(3f).gelu(), randn64(13, 20));
        GradCheck.check("softplus beyond the threshold", x -> x[0].mul(10f).softplus(1f, 5f), randn64(14, 20));
        GradCheck.check("min along dim keepDim", x -> x[0].min(1, true).values(), randn64(15, 3, 5));
        GradCheck.check("sign away from 0", x -> x[0].sign().mul(x[0]), randn64(19, 6));
        GradCheck.check("rsqrt", x -> x[0].abs().add(0.1f).rsqrt(), randn64(16, 6));
        GradCheck.check(
                "sub and div with broadcasting",
                x -> x[0].sub(x[1]).div(x[1].abs().add(1f)),
                randn64(17, 2, 3),
                randn64(18, 3));
    }
}
