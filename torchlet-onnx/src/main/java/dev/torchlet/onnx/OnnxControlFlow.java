package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * If and Loop: nodes whose attributes hold subgraphs ({@link OnnxGraph}). A subgraph reads values of the graphs
 * around it by name; the executor hands those to the node as implicit inputs after its own (see
 * {@link OnnxNode#outerValues}). A subgraph's own initializers are constants, not parameters of the model. Tensor
 * values only (no sequences). Gradients flow through the branch taken and through every iteration run.
 */
final class OnnxControlFlow {
    private OnnxControlFlow() {}

    static void register(Map<String, OnnxOps.Op> ops) {
        ops.put("If", OnnxControlFlow::ifThenElse);
        ops.put("Loop", OnnxControlFlow::loop);
    }

    /** cond (a one-element bool tensor) -> the outputs of then_branch or else_branch. */
    static Tensor[] ifThenElse(OnnxNode n, Tensor[] in, boolean training) {
        boolean cond = truth(n, in[0], "cond");
        OnnxGraph branch = n.graph(cond ? "then_branch" : "else_branch");
        if (branch == null) {
            throw new IllegalArgumentException(n.describe() + ": no " + (cond ? "then" : "else") + "_branch");
        }
        return branch.call(n.outerValues(in), List.of(), training);
    }

    /**
     * Inputs (M, cond, v_initial...), body (iteration_num, cond_in, v_in...) -> (cond_out, v_out..., scan...):
     * <pre>
     * v = v_initial; i = 0
     * while ((M is absent or i < M) and (cond is absent or cond)):
     *     cond, v, scan_i = body(i, cond, v); i += 1
     * outputs: v (final), then each scan output stacked along a new axis 0 ((iterations, ...) each)
     * </pre>
     * With cond absent the body's cond_out is ignored; with both absent the loop would never end and is rejected.
     */
    static Tensor[] loop(OnnxNode n, Tensor[] in, boolean training) {
        OnnxGraph body = n.graph("body");
        if (body == null) {
            throw new IllegalArgumentException(n.describe() + ": no body graph");
        }
        int explicit = n.proto.getInputCount();
        Tensor maxTrips = explicit > 0 ? in[0] : null; // null too when left out ("")
        Tensor condIn = explicit > 1 ? in[1] : null;
        if (maxTrips == null && condIn == null) {
            throw new IllegalArgumentException(
                    n.describe() + ": neither a trip count M nor a condition: an endless loop");
        }
        long trips = maxTrips == null ? Long.MAX_VALUE : maxTrips.toLongArray()[0];
        boolean cond = condIn == null || truth(n, condIn, "cond");
        List<Tensor> carried = new ArrayList<>(Arrays.asList(in).subList(Math.min(2, explicit), explicit));
        int nCarried = carried.size();
        int nScan = body.outputs.size() - 1 - nCarried;
        if (body.inputs.size() != 2 + nCarried || nScan < 0) {
            throw new IllegalArgumentException(n.describe() + ": the body takes " + body.inputs.size()
                    + " inputs and gives " + body.outputs.size() + " outputs, but the node carries " + nCarried
                    + " values (body: (i, cond, " + nCarried + " carried) -> (cond, " + nCarried
                    + " carried, scans...))");
        }
        Map<String, Tensor> outer = n.outerValues(in);
        List<List<Tensor>> scans = new ArrayList<>();
        for (int s = 0; s < nScan; s++) {
            scans.add(new ArrayList<>());
        }
        for (long i = 0; i < trips && cond; i++) {
            List<Tensor> args = new ArrayList<>();
            args.add(Torch.tensor(new long[] {i}));
            args.add(Torch.tensor(new boolean[] {cond}));
            args.addAll(carried);
            Tensor[] out = body.call(outer, args, training);
            if (condIn != null) {
                cond = truth(n, out[0], "the body's cond_out");
            }
            carried = new ArrayList<>(Arrays.asList(out).subList(1, 1 + nCarried));
            for (int s = 0; s < nScan; s++) {
                scans.get(s).add(out[1 + nCarried + s]);
            }
        }
        Tensor[] result = new Tensor[nCarried + nScan];
        for (int k = 0; k < nCarried; k++) {
            result[k] = carried.get(k);
        }
        for (int s = 0; s < nScan; s++) {
            int output = 1 + nCarried + s;
            result[nCarried + s] = scans.get(s).isEmpty() ? emptyScan(body, output) : Torch.stack(scans.get(s), 0);
        }
        return result;
    }

    /**
     * The scan output of a loop that ran no iteration: (0, declared dims...) of the declared element type, or (0)
     * float32 where the body does not declare a static shape.
     */
    private static Tensor emptyScan(OnnxGraph body, int output) {
        var type = body.outputInfo.get(output).getType().getTensorType();
        int[] shape = {0};
        if (type.hasShape() && type.getShape().getDimList().stream().allMatch(d -> d.hasDimValue())) {
            shape = new int[type.getShape().getDimCount() + 1];
            for (int d = 1; d < shape.length; d++) {
                shape[d] = (int) type.getShape().getDim(d - 1).getDimValue();
            }
        }
        DType dtype = switch (type.getElemType()) {
            case OnnxTensors.DOUBLE -> DType.FLOAT64;
            case OnnxTensors.BOOL -> DType.BOOL;
            case OnnxTensors.INT64, OnnxTensors.INT32, OnnxTensors.INT16, OnnxTensors.INT8, OnnxTensors.UINT8 ->
                DType.INT64;
            default -> DType.FLOAT32;
        };
        return Torch.zeros(dtype, shape);
    }

    /** A one-element condition tensor (bool, or any number: non-zero is true). */
    private static boolean truth(OnnxNode n, Tensor t, String what) {
        if (t.numel() != 1) {
            throw new IllegalArgumentException(
                    n.describe() + ": " + what + " must have one element, has shape " + Arrays.toString(t.shape()));
        }
        return t.dtype() == DType.BOOL
                ? t.toBooleanArray()[0]
                : t.to(DType.FLOAT64).itemDouble() != 0;
    }
}
