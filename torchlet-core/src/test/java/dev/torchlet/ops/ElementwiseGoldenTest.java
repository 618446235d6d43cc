package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Tensor;
import dev.torchlet.testing.Golden;
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
 * Elementwise ops (arithmetic, unary math, activations, comparisons) against PyTorch: outputs and
 * input gradients, with broadcasting and non-contiguous (transposed / strided) operands.
 * Tolerance: atol 1e-5, rtol 1e-4 (float32 ops; PyTorch's vectorized exp/log/erf differ from Java's
 * double-precision math by a few float ulps).
 */
public class ElementwiseGoldenTest {
    static final Tol TOL = new Tol(1e-5, 1e-4);
    static final int END = Integer.MAX_VALUE; // Python's omitted slice end

    /** name -> the Java side of the case in tools/golden/gen_ops.py. */
    public static final Map<String, Op> CASES = new LinkedHashMap<>();

    private static void put(String name, Op op) {
        CASES.put(name, op);
    }

    static {
        put("ew.add", x -> x[0].add(x[1]));
        put("ew.add_bcast", x -> x[0].add(x[1]));
        put("ew.add_nc", x -> x[0].t().add(x[1].slice(1, 0, END, 2)));
        put("ew.add_scalar", x -> x[0].add(1.5f));
        put("ew.add_alpha", x -> x[0].add(x[1], -2.5f));
        put("ew.add_int", x -> x[0].add(x[1]));
        put("ew.sub", x -> x[0].sub(x[1]));
        put("ew.sub_bcast", x -> x[0].sub(x[1]));
        put("ew.sub_scalar", x -> x[0].sub(0.5f));
        put("ew.mul", x -> x[0].mul(x[1]));
        put("ew.mul_bcast", x -> x[0].mul(x[1]));
        put("ew.mul_nc", x -> x[0].t().mul(x[1].slice(0, 0, END, 2)));
        put("ew.mul_scalar", x -> x[0].mul(-3f));
        put("ew.mul_self", x -> x[0].mul(x[0]));
        put("ew.div", x -> x[0].div(x[1]));
        put("ew.div_bcast", x -> x[0].div(x[1]));
        put("ew.div_scalar", x -> x[0].div(4f));
        put("ew.div_int", x -> x[0].div(x[1]));
        put("ew.pow_scalar", x -> x[0].pow(2.5f));
        put("ew.pow_scalar_int", x -> x[0].pow(3f));
        put("ew.pow_scalar_neg", x -> x[0].pow(-1.5f));
        put("ew.pow_zero", x -> x[0].pow(0f));
        put("ew.pow_square", x -> x[0].pow(2f));
        put("ew.pow_square_strided", x -> x[0].t().pow(2f));
        put("ew.pow_one", x -> x[0].pow(1f));
        put("ew.pow_sqrt", x -> x[0].pow(0.5f));
        put("ew.pow_rsqrt", x -> x[0].pow(-0.5f));
        put("ew.pow_reciprocal", x -> x[0].pow(-1f));
        put("ew.pow_inverse_square", x -> x[0].pow(-2f));
        put("ew.pow_tensor", x -> x[0].pow(x[1]));
        put("ew.pow_tensor_bcast", x -> x[0].pow(x[1]));
        put("ew.pow_tensor_zero_base_kink", x -> x[0].pow(x[1]));
        put("ew.neg", x -> x[0].neg());
        put("ew.exp", x -> x[0].exp());
        put("ew.erf", x -> x[0].erf());
        put("ew.exp_nc", x -> x[0].t().exp());
        put("ew.log", x -> x[0].log());
        put("ew.sqrt", x -> x[0].sqrt());
        put("ew.rsqrt", x -> x[0].rsqrt());
        put("ew.abs", x -> x[0].abs());
        put("ew.abs_zero_kink", x -> x[0].abs());
        put("ew.sign_with_zero_kink", x -> x[0].sign());
        put("ew.sin", x -> x[0].sin());
        put("ew.sin_nc", x -> x[0].slice(1, 0, END, 2).sin());
        put("ew.cos", x -> x[0].cos());
        put("ew.clamp", x -> x[0].clamp(-0.5f, 0.7f));
        put("ew.clamp_bounds_kink", x -> x[0].clamp(-0.5f, 0.7f));
        put("ew.clamp_min", x -> x[0].clampMin(-0.3f));
        put("ew.clamp_max", x -> x[0].clampMax(0.2f));
        put("ew.sigmoid", x -> x[0].sigmoid());
        put("ew.tanh", x -> x[0].tanh());
        put("ew.relu", x -> x[0].relu());
        put("ew.relu_zero_kink", x -> x[0].relu());
        put("ew.leaky_relu", x -> x[0].leakyRelu(0.1f));
        put("ew.leaky_relu_long", x -> x[0].leakyRelu(0.2f)); // vector kernels: 2 (or 4) vectors + a tail
        put("ew.leaky_relu_long_zero_kink", x -> x[0].leakyRelu(0.2f));
        put("ew.elu", x -> x[0].elu(1f));
        put("ew.elu_alpha", x -> x[0].elu(0.5f));
        put("ew.gelu", x -> x[0].gelu());
        put("ew.gelu_tanh", x -> x[0].gelu("tanh"));
        put("ew.silu", x -> x[0].silu());
        put("ew.softplus", x -> x[0].softplus());
        put("ew.softplus_beta", x -> x[0].softplus(2f, 1f));
        put("ew.maximum", x -> x[0].maximum(x[1]));
        put("ew.maximum_ties_kink", x -> x[0].maximum(x[1]));
        put("ew.maximum_bcast", x -> x[0].maximum(x[1]));
        put("ew.minimum", x -> x[0].minimum(x[1]));
        put("ew.minimum_ties_kink", x -> x[0].minimum(x[1]));
        put("ew.eq", x -> x[0].eq(x[1]));
        put("ew.eq_scalar", x -> x[0].eq(2f));
        put("ew.ne", x -> x[0].ne(x[1]));
        put("ew.ne_scalar", x -> x[0].ne(2f));
        put("ew.lt", x -> x[0].lt(x[1]));
        put("ew.lt_scalar", x -> x[0].lt(2f));
        put("ew.le", x -> x[0].le(x[1]));
        put("ew.le_scalar", x -> x[0].le(2f));
        put("ew.gt", x -> x[0].gt(x[1]));
        put("ew.gt_scalar", x -> x[0].gt(2f));
        put("ew.ge", x -> x[0].ge(x[1]));
        put("ew.ge_scalar", x -> x[0].ge(2f));
        put("ew.lt_int", x -> x[0].lt(x[1]));
    }

    @TestFactory
    Stream<DynamicTest> goldens() {
        return OpGolden.tests("ops", CASES, name -> TOL);
    }

    @Test
    void javaAndPythonListTheSameCases() {
        OpGolden.assertSameCases("ops", "ew.", CASES.keySet());
    }

    /** Erf in double precision vs torch.erf (float64), relative 1e-15 or absolute 1e-16. */
    @Test
    void erfMatchesPyTorchToDoublePrecision() {
        double[] x = Golden.get("ops", "erf/x").toDoubleArray();
        double[] y = Golden.get("ops", "erf/y").toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            double got = Erf.erf(x[i]);
            double tol = 1e-16 + 1e-15 * Math.abs(y[i]);
            if (Math.abs(got - y[i]) > tol) {
                assertEquals(y[i], got, tol, "erf(" + x[i] + ")");
            }
        }
    }

    @Test
    void intArithmeticKeepsOrPromotesDtypeLikePyTorch() {
        Tensor i = dev.torchlet.Torch.tensor(new long[] {1, 2, 3}, 3);
        assertEquals(dev.torchlet.DType.INT64, i.mul(i).dtype());
        assertEquals(dev.torchlet.DType.FLOAT32, i.mul(0.5f).dtype());
        assertEquals(dev.torchlet.DType.FLOAT32, i.div(i).dtype());
        assertEquals(dev.torchlet.DType.BOOL, i.gt(1f).dtype());
        assertEquals(dev.torchlet.DType.INT64, i.neg().dtype()); // was float32 before neg got its own op
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new long[] {-1, -2, -3}, i.neg().toLongArray());
        // torch.relu keeps int64 (exactly, also past 2^53); torch.sigmoid promotes to float32
        Tensor big = dev.torchlet.Torch.tensor(new long[] {-5, 0, (1L << 60) + 1}, 3);
        assertEquals(dev.torchlet.DType.INT64, big.relu().dtype());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new long[] {0, 0, (1L << 60) + 1}, big.relu().toLongArray());
        assertEquals(dev.torchlet.DType.FLOAT32, i.sigmoid().dtype());
    }
}
