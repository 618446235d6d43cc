package dev.torchlet.ops;

import dev.torchlet.Tensor;
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

/**
 * Reductions against PyTorch: sum/mean (all, dims, keepDim, negative dims), var/std (correction 0
 * and 1), max/min (all with ties, along a dim with values + indices), argmax/argmin, logsumexp
 * (incl. large and -inf inputs), prod (with zeros) and p-norms (1, 2, 3, inf; all and along a dim,
 * incl. all-zero rows). Tolerance: atol 1e-5, rtol 1e-4 (float32; sums accumulate in a different order).
 */
public class ReductionGoldenTest {
    static final Tol TOL = new Tol(1e-5, 1e-4);
    static final float INF = Float.POSITIVE_INFINITY;

    public static final Map<String, Op> CASES = new LinkedHashMap<>();

    private static void put(String name, Op op) {
        CASES.put(name, op);
    }

    private static List<Tensor> vi(Tensor.ValuesIndices r) {
        return List.of(r.values(), r.indices());
    }

    static {
        put("red.sum_all", x -> x[0].sum());
        put("red.sum_dim", x -> x[0].sum(1, false));
        put("red.sum_keep_neg", x -> x[0].sum(-1, true));
        put("red.sum_dims", x -> x[0].sum(new int[] {0, 2}, false));
        put("red.sum_dims_neg_keep", x -> x[0].sum(new int[] {-1, -3}, true));
        put("red.sum_nc", x -> x[0].t().sum(0, false));
        put("red.sum_int", x -> x[0].sum(0, false));
        put("red.mean_all", x -> x[0].mean());
        put("red.mean_dim_keep", x -> x[0].mean(-2, true));
        put("red.mean_dims", x -> x[0].mean(new int[] {0, 1}, false));
        put("red.var_all", x -> x[0].var());
        put("red.var_c0", x -> x[0].var(new int[] {0}, 0, false));
        put("red.var_dims_keep", x -> x[0].var(new int[] {0, 2}, 1, true));
        put("red.std_all", x -> x[0].std());
        put("red.std_c0_neg", x -> x[0].std(new int[] {-1}, 0, false));
        put("red.std_c1_keep", x -> x[0].std(new int[] {1}, 1, true));
        put("red.std_constant_row_kink", x -> x[0].std(new int[] {1}, 1, false));
        put("red.max_all", x -> x[0].max());
        put("red.max_all_ties_kink", x -> x[0].max());
        put("red.min_all", x -> x[0].min());
        put("red.min_all_ties_kink", x -> x[0].min());
        put("red.max_dim", x -> vi(x[0].max(1, false)));
        put("red.max_dim_keep", x -> vi(x[0].max(-1, true)));
        put("red.max_dim_ties_kink", x -> vi(x[0].max(1, false)));
        put("red.max_dim_nc", x -> vi(x[0].t().max(0, false)));
        put("red.min_dim", x -> vi(x[0].min(0, false)));
        put("red.min_dim_keep", x -> vi(x[0].min(-2, true)));
        put("red.argmax_all", x -> x[0].argmax());
        put("red.argmax_dim", x -> x[0].argmax(1));
        put("red.argmax_keep", x -> x[0].argmax(-1, true));
        put("red.argmin_all", x -> x[0].argmin());
        put("red.argmin_dim", x -> x[0].argmin(0));
        put("red.argmax_int", x -> x[0].argmax(1));
        put("red.logsumexp", x -> x[0].logsumexp(1, false));
        put("red.logsumexp_keep", x -> x[0].logsumexp(-1, true));
        put("red.logsumexp_large", x -> x[0].logsumexp(1, false));
        put("red.logsumexp_neginf", x -> x[0].logsumexp(1, false));
        put("red.prod_all", x -> x[0].prod());
        put("red.prod_dim", x -> x[0].prod(1, false));
        put("red.prod_dim_keep", x -> x[0].prod(0, true));
        put("red.prod_zero", x -> x[0].prod());
        put("red.prod_zero_dim", x -> x[0].prod(1, false));
        put("red.norm2", x -> x[0].norm());
        put("red.norm1", x -> x[0].norm(1f));
        put("red.norm_inf", x -> x[0].norm(INF));
        put("red.norm_inf_ties_kink", x -> x[0].norm(INF));
        put("red.norm3", x -> x[0].norm(3f));
        put("red.norm2_dim", x -> x[0].norm(2f, 1, false));
        put("red.norm1_dim_keep", x -> x[0].norm(1f, 0, true));
        put("red.norm_inf_dim", x -> x[0].norm(INF, -1, false));
        put("red.norm_inf_dim_ties_kink", x -> x[0].norm(INF, 1, false));
        put("red.norm3_dim_keep", x -> x[0].norm(3f, 1, true));
        put("red.norm2_zero_kink", x -> x[0].norm());
        put("red.norm2_dim_zero_row_kink", x -> x[0].norm(2f, 1, false));
        put("red.norm3_zero_row_kink", x -> x[0].norm(3f, 1, false));
    }

    @TestFactory
    Stream<DynamicTest> goldens() {
        return OpGolden.tests("ops", CASES, name -> TOL);
    }

    @Test
    void javaAndPythonListTheSameCases() {
        OpGolden.assertSameCases("ops", "red.", CASES.keySet());
    }
}
