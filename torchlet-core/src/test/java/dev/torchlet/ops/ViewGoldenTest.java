package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * View ops against PyTorch (values and the gradient flowing back through the view), plus checks
 * that views really share storage. Views copy no arithmetic, so the tolerance is exact (0).
 */
public class ViewGoldenTest {
    static final Tol EXACT = new Tol(0, 0);
    static final int END = Integer.MAX_VALUE;

    public static final Map<String, Op> CASES = new LinkedHashMap<>();

    private static void put(String name, Op op) {
        CASES.put(name, op);
    }

    static {
        put("view.view", x -> x[0].view(6, 4));
        put("view.view_infer", x -> x[0].view(2, -1));
        put("view.view_flat", x -> x[0].view(-1));
        put("view.view_of_rows", x -> x[0].slice(0, 1, 3).view(12));
        put("view.reshape", x -> x[0].reshape(4, 6));
        put("view.reshape_nc", x -> x[0].t().reshape(12));
        put("view.reshape_nc_infer", x -> x[0].transpose(0, 2).reshape(-1, 2));
        put("view.transpose", x -> x[0].transpose(0, 2));
        put("view.permute", x -> x[0].permute(2, 0, 1));
        put("view.permute_neg", x -> x[0].permute(-1, -3, -2));
        put("view.t", x -> x[0].t());
        put("view.t_1d", x -> x[0].t());
        put("view.expand", x -> x[0].expand(3, 4));
        put("view.expand_lead", x -> x[0].expand(2, 3, 4));
        put("view.expand_keep", x -> x[0].expand(-1, 5, -1));
        put("view.broadcast_to", x -> x[0].broadcastTo(2, 4, 3));
        put("view.narrow", x -> x[0].narrow(1, 1, 2));
        put("view.narrow_neg", x -> x[0].narrow(0, -2, 2));
        put("view.slice_step", x -> x[0].slice(1, 1, 6, 2));
        put("view.slice_neg", x -> x[0].slice(0, -3, END));
        put("view.slice_neg_step", x -> x[0].slice(0, -4, -1, 2));
        put("view.slice_clamped", x -> x[0].slice(1, 2, 100));
        put("view.select", x -> x[0].select(1, 2));
        put("view.select_neg", x -> x[0].select(0, -1));
        put("view.squeeze", x -> x[0].squeeze());
        put("view.squeeze_dim", x -> x[0].squeeze(2));
        put("view.squeeze_noop", x -> x[0].squeeze(1));
        put("view.unsqueeze", x -> x[0].unsqueeze(1));
        put("view.unsqueeze_neg", x -> x[0].unsqueeze(-1));
        put("view.flatten", x -> x[0].flatten(1));
        put("view.flatten_range", x -> x[0].flatten(0, 1));
        put("view.flatten_all", x -> x[0].flatten());
        put("view.contiguous", x -> x[0].t().contiguous());
        put("view.chain", x -> x[0].t().slice(0, 1, END).slice(1, 0, END, 2).reshape(-1));
        put(
                "view.chain_grad",
                x -> x[0].t().slice(0, 1, END).slice(1, 0, END, 2).mul(2f).sum(0, false));
    }

    @TestFactory
    Stream<DynamicTest> goldens() {
        // Forward values are copied exactly. Where a gradient is summed (expand/broadcast back to the
        // input, chain_grad's sum), Torchlet accumulates float32 in double and PyTorch in float32:
        // those cases allow 1e-6.
        return OpGolden.tests(
                "ops",
                CASES,
                name -> name.contains("expand") || name.contains("broadcast") || name.equals("view.chain_grad")
                        ? new Tol(1e-6, 1e-6)
                        : EXACT);
    }

    @Test
    void javaAndPythonListTheSameCases() {
        OpGolden.assertSameCases("ops", "view.", CASES.keySet());
    }

    @Test
    void viewsShareStorageAndCopiesDoNot() {
        Tensor x = Torch.arange(0.0, 12.0, 1.0).reshape(3, 4);
        assertSame(TensorInternals.storage(x), TensorInternals.storage(x.t()));
        assertSame(TensorInternals.storage(x), TensorInternals.storage(x.slice(1, 0, END, 2)));
        assertSame(TensorInternals.storage(x), TensorInternals.storage(x.select(0, 1)));
        assertSame(
                TensorInternals.storage(x),
                TensorInternals.storage(x.unsqueeze(0).expand(2, 3, 4)));
        assertSame(TensorInternals.storage(x), TensorInternals.storage(x.view(12)));
        assertSame(
                TensorInternals.storage(x), TensorInternals.storage(x.reshape(2, 6))); // contiguous: reshape is a view
        assertFalse(x.t().isContiguous());
        Tensor copied = x.t().reshape(12); // impossible as a view: a copy
        assertFalse(TensorInternals.storage(copied) == TensorInternals.storage(x));
        assertTrue(copied.isContiguous());
        assertSame(x, x.contiguous());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, copied.toFloatArray());
    }

    @Test
    void writesThroughAViewAreVisibleInTheBase() {
        Tensor x = Torch.zeros(3, 4);
        Assign.copyInto(x.t().select(0, 1), Torch.tensor(new float[] {7, 8, 9}, 3)); // column 1
        assertArrayEquals(new float[] {0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0}, x.toFloatArray());
    }
}
