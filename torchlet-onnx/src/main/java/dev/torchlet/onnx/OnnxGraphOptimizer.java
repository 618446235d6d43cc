package dev.torchlet.onnx;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a graph's node list at load time so it runs on Torchlet's fused kernels, keeping what it computes:
 * <ol>
 *   <li>constant folding: Constant nodes, and nodes whose inputs are all constants (integer initializers, Constant
 *       outputs, folded values) run once at load. Float initializers are trainable parameters, never folded. Shape
 *       folds only on a graph input whose every dim is declared (OnnxModel.run rejects other shapes); there is no
 *       shape inference through the graph, so Shape chains of dynamic values stay;
 *   <li>pattern fusion into {@link OnnxFusedOps} ({@code torchlet.*} nodes): decomposed LayerNorm, Erf GELU,
 *       multi-head attention, MatMul + bias Add, Conv + BatchNormalization (+ Relu), Conv + Add (+ Relu), Conv +
 *       Relu/Clip, and then MobileNet's expansion 1x1 and depthwise 3x3 (two of the latter) into one node;
 *   <li>dead nodes (outputs nobody reads) are dropped.
 * </ol>
 * A region fuses only when every value inside it is read inside it alone (no graph output, no other reader), and
 * the fused node is placed where its last original node was. Fused nodes check their run-time conditions and run
 * the original nodes when one fails. Only the top-level graph is rewritten (If / Loop bodies run as in the file).
 * Patterns may read one-element float initializers (Torchlet's own exports store scalars that way); those are
 * parameters, so the fused node checks at run time that they keep the values it assumed and need no gradient.
 */
final class OnnxGraphOptimizer {
    private final OnnxGraph graph;
    private final int opset;
    private final Set<String> outputs;
    private final Map<String, Tensor> constants = new HashMap<>();
    private final Map<String, Tensor> folded = new LinkedHashMap<>();
    private final Map<String, Tensor> scalarParameters = new HashMap<>(); // one-element float32 initializers
    private List<OnnxNode> nodes;
    private int fusedCount;

    private OnnxGraphOptimizer(OnnxGraph graph, int opset, Map<String, Tensor> initializerConstants) {
        this.graph = graph;
        this.opset = opset;
        this.outputs = new HashSet<>(graph.outputs);
        this.constants.putAll(initializerConstants);
        this.nodes = new ArrayList<>(graph.nodes);
        graph.initializers.forEach((name, t) -> {
            if (t.dtype() == DType.FLOAT32 && t.numel() == 1) {
                scalarParameters.put(name, t);
            }
        });
    }

    /**
     * Optimizes {@code graph} in place ({@link OnnxGraph#usePlan}); {@code initializerConstants} are the
     * initializers that are no parameters (integer ones), which folding may read.
     */
    static void optimize(OnnxGraph graph, int opset, Map<String, Tensor> initializerConstants) {
        OnnxGraphOptimizer o = new OnnxGraphOptimizer(graph, opset, initializerConstants);
        o.foldConstants();
        o.fuse(o::layerNorm);
        o.fuse(o::gelu);
        o.fuse(o::attention);
        o.fuse(o::linear);
        o.fuse(o::convBatchNorm);
        o.fuse(o::convAdd);
        o.fuse(o::convClamp);
        o.fuse(o::convClampMaxPool);
        o.fuse(o::pointwiseDepthwise);
        o.fuse(o::invertedResidual);
        o.dropDeadNodes();
        graph.usePlan(o.nodes, o.folded);
    }

    // ---------------------------------------------------------------- constant folding

    /** Operators whose result depends on training mode or that update state: never folded. */
    private static final Set<String> UNFOLDABLE = Set.of("BatchNormalization", "Dropout");

    private void foldConstants() {
        Map<String, int[]> staticInputs = staticInputShapes();
        List<OnnxNode> kept = new ArrayList<>();
        for (OnnxNode node : nodes) {
            if (node.qualifiedOp().equals("Shape") && staticInputs.containsKey(in(node, 0))) {
                // the shape of a graph input whose every dim is declared: OnnxModel.run rejects any other shape
                int[] dims = staticInputs.get(in(node, 0));
                int[] ones = new int[dims.length];
                Arrays.fill(ones, 1);
                constants.put(in(node, 0), Torch.zeros(1).reshape(ones).expand(dims)); // a stand-in, no data
                boolean done = fold(node);
                constants.remove(in(node, 0));
                if (!done) {
                    kept.add(node);
                }
                continue;
            }
            if (!foldable(node) || !fold(node)) {
                kept.add(node);
            }
        }
        nodes = kept;
    }

    /** Graph inputs whose shape the graph declares in full (no dynamic dim), by name. */
    private Map<String, int[]> staticInputShapes() {
        Map<String, int[]> shapes = new HashMap<>();
        for (var v : graph.inputs) {
            if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
                continue;
            }
            var dims = v.getType().getTensorType().getShape().getDimList();
            if (dims.stream().allMatch(d -> d.hasDimValue() && d.getDimValue() >= 0)) {
                shapes.put(
                        v.getName(),
                        dims.stream().mapToInt(d -> (int) d.getDimValue()).toArray());
            }
        }
        return shapes;
    }

    /** Runs a node on constants at load time: true when it ran, its outputs now constants. */
    private boolean fold(OnnxNode node) {
        Tensor[] in = new Tensor[node.proto.getInputCount()];
        for (int k = 0; k < in.length; k++) {
            String name = node.proto.getInput(k);
            in[k] = name.isEmpty() ? null : constants.get(name);
        }
        Tensor[] out;
        try (var g = Torch.noGrad()) {
            out = OnnxFusedOps.lookup(node).apply(node, in, false);
        } catch (RuntimeException e) {
            return false; // it fails at run time with the usual message
        }
        if (out.length < node.proto.getOutputCount()) {
            return false;
        }
        for (int k = 0; k < node.proto.getOutputCount(); k++) {
            String name = node.proto.getOutput(k);
            if (!name.isEmpty() && out[k] != null) {
                constants.put(name, out[k]);
                folded.put(name, out[k]);
            }
        }
        return true;
    }

    private boolean foldable(OnnxNode node) {
        if (UNFOLDABLE.contains(node.op())
                || !node.implicitInputs().isEmpty()
                || !node.replaced().isEmpty()) {
            return false;
        }
        if (!OnnxOps.OPS.containsKey(node.op())
                || !node.proto.getDomain().isEmpty() && !node.proto.getDomain().equals("ai.onnx")) {
            return false;
        }
        for (String in : node.proto.getInputList()) {
            if (!in.isEmpty() && !constants.containsKey(in)) {
                return false;
            }
        }
        return node.op().equals("Constant") || node.proto.getInputCount() > 0;
    }

    // ---------------------------------------------------------------- fusion driver

    /** A matched region: its nodes and the fused node standing for them. */
    private record Fusion(List<OnnxNode> region, OnnxNode fused) {}

    @FunctionalInterface
    private interface Pattern {
        /** The fusion anchored at {@code node}, or null. */
        Fusion match(OnnxNode node, OnnxGraphIndex index);
    }

    private void fuse(Pattern pattern) {
        OnnxGraphIndex index = new OnnxGraphIndex(nodes, outputs, constants, scalarParameters);
        Set<OnnxNode> taken = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Map<OnnxNode, OnnxNode> replaceLast = new IdentityHashMap<>();
        for (OnnxNode node : nodes) {
            if (taken.contains(node)) {
                continue;
            }
            Fusion f = pattern.match(node, index);
            if (f == null || f.region.stream().anyMatch(taken::contains)) {
                continue;
            }
            taken.addAll(f.region);
            OnnxNode last = null;
            for (OnnxNode n : nodes) {
                if (f.region.contains(n)) {
                    last = n;
                }
            }
            replaceLast.put(last, f.fused);
        }
        List<OnnxNode> rewritten = new ArrayList<>();
        for (OnnxNode node : nodes) {
            if (replaceLast.containsKey(node)) {
                rewritten.add(replaceLast.get(node));
            } else if (!taken.contains(node)) {
                rewritten.add(node);
            }
        }
        nodes = rewritten;
    }

    /**
     * The fused node for {@code region} (in graph order) computing {@code output}: inputs {@code leading} (""
     * for an absent optional one), then every other value the region reads from outside, for the fallback.
     */
    private Fusion fusion(
            String op, List<OnnxNode> region, String output, List<String> leading, List<AttributeProto> attributes) {
        List<OnnxNode> ordered = new ArrayList<>();
        for (OnnxNode n : nodes) {
            if (region.contains(n)) {
                ordered.add(n);
            }
        }
        Set<String> produced = new HashSet<>();
        ordered.forEach(n -> produced.addAll(n.proto.getOutputList()));
        Set<String> inputs = new LinkedHashSet<>(leading);
        for (OnnxNode n : ordered) {
            for (String in : OnnxGraphIndex.reads(n)) {
                if (!produced.contains(in)) {
                    inputs.add(in);
                }
            }
        }
        List<String> all = new ArrayList<>(leading);
        for (String in : inputs) {
            if (!in.isEmpty() && !leading.contains(in)) {
                all.add(in);
            }
        }
        // scalar parameters the pattern may have read: the fused node runs only while they keep these values
        AttributeProto.Builder assumedInputs = AttributeProto.newBuilder()
                .setName(OnnxFusedOps.ASSUMED_INPUTS)
                .setType(AttributeProto.AttributeType.INTS);
        AttributeProto.Builder assumedValues = AttributeProto.newBuilder()
                .setName(OnnxFusedOps.ASSUMED_VALUES)
                .setType(AttributeProto.AttributeType.FLOATS);
        for (int k = 0; k < all.size(); k++) {
            Tensor p = scalarParameters.get(all.get(k));
            if (p != null) {
                assumedInputs.addInts(k);
                assumedValues.addFloats(p.item());
            }
        }
        NodeProto.Builder proto = NodeProto.newBuilder()
                .setOpType(op)
                .setDomain(OnnxFusedOps.DOMAIN)
                .setName(OnnxFusedOps.DOMAIN + "." + op + "_" + fusedCount++)
                .addAllInput(all)
                .addOutput(output)
                .addAllAttribute(attributes);
        if (assumedInputs.getIntsCount() > 0) {
            proto.addAttribute(assumedInputs).addAttribute(assumedValues);
        }
        return new Fusion(ordered, new OnnxNode(proto.build(), opset, ordered));
    }

    private static AttributeProto floatAttribute(String name, double value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF((float) value)
                .build();
    }

    private static AttributeProto intsAttribute(String name, int[] values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    /** The other input of a two-input node, given one of them; null if {@code known} is neither. */
    private static String other(OnnxNode node, String known) {
        if (node.proto.getInputCount() != 2) {
            return null;
        }
        if (node.proto.getInput(0).equals(known)) {
            return node.proto.getInput(1);
        }
        return node.proto.getInput(1).equals(known) ? node.proto.getInput(0) : null;
    }

    private static boolean near(Double value, double expected) {
        return value != null && Math.abs(value - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
    }

    private static String out(OnnxNode node) {
        return node.proto.getOutput(0);
    }

    private static String in(OnnxNode node, int k) {
        return k < node.proto.getInputCount() ? node.proto.getInput(k) : "";
    }

    // ---------------------------------------------------------------- LayerNorm

    /**
     * From the first ReduceMean: {@code m = ReduceMean(x); d = Sub(x, m); v = ReduceMean(Pow(d, 2));
     * y = Add(Mul(Div(d, Sqrt(Add(v, eps))), gamma), beta)} (Mul and Add in either operand order), both means over
     * the same single axis with keepdims.
     */
    private Fusion layerNorm(OnnxNode mean, OnnxGraphIndex index) {
        if (!mean.qualifiedOp().equals("ReduceMean") || mean.proto.getOutputCount() != 1) {
            return null;
        }
        int[] axes = mean.ints("axes", null);
        if (axes == null || axes.length != 1 || mean.i("keepdims", 1) == 0) {
            return null;
        }
        String x = in(mean, 0);
        OnnxNode sub = index.soleConsumer(out(mean), "Sub");
        if (sub == null || !in(sub, 0).equals(x) || !in(sub, 1).equals(out(mean))) {
            return null;
        }
        String d = out(sub);
        List<OnnxNode> readers = index.consumers(d);
        if (readers.size() != 2) {
            return null;
        }
        OnnxNode pow = readers.stream()
                .filter(n -> n.qualifiedOp().equals("Pow"))
                .findFirst()
                .orElse(null);
        OnnxNode div = readers.stream()
                .filter(n -> n.qualifiedOp().equals("Div"))
                .findFirst()
                .orElse(null);
        if (pow == null || div == null || !in(pow, 0).equals(d) || !near(index.scalar(in(pow, 1)), 2.0)) {
            return null;
        }
        OnnxNode variance = index.soleConsumer(out(pow), "ReduceMean");
        if (variance == null || !Arrays.equals(variance.ints("axes", null), axes) || variance.i("keepdims", 1) == 0) {
            return null;
        }
        OnnxNode addEps = index.soleConsumer(out(variance), "Add");
        String epsName = addEps == null ? null : other(addEps, out(variance));
        Double eps = epsName == null ? null : index.scalar(epsName);
        OnnxNode sqrt = addEps == null ? null : index.soleConsumer(out(addEps), "Sqrt");
        if (eps == null || sqrt == null || !in(div, 0).equals(d) || !in(div, 1).equals(out(sqrt))) {
            return null;
        }
        OnnxNode mul = index.soleConsumer(out(div), "Mul");
        String gamma = mul == null ? null : other(mul, out(div));
        OnnxNode add = mul == null ? null : index.soleConsumer(out(mul), "Add");
        String beta = add == null ? null : other(add, out(mul));
        if (gamma == null || beta == null) {
            return null;
        }
        List<OnnxNode> region = List.of(mean, sub, pow, variance, addEps, sqrt, div, mul, add);
        if (!index.closed(region, out(add))) {
            return null;
        }
        return fusion(
                "LayerNorm",
                region,
                out(add),
                List.of(x, gamma, beta),
                List.of(intAttribute("axis", axes[0]), floatAttribute("epsilon", eps)));
    }

    // ---------------------------------------------------------------- GELU

    /**
     * From Erf: {@code y = Mul(Mul(x, Add(Erf(Div(x, sqrt 2)), 1)), 0.5)} (also Mul(x, 1/sqrt 2) for the Div, and
     * either operand order of the Adds and Muls): PyTorch's export of the exact GELU.
     */
    private Fusion gelu(OnnxNode erf, OnnxGraphIndex index) {
        if (!erf.qualifiedOp().equals("Erf")) {
            return null;
        }
        OnnxNode scale = index.producer(in(erf, 0), "Div");
        String x;
        if (scale != null && near(index.scalar(in(scale, 1)), Math.sqrt(2))) {
            x = in(scale, 0);
        } else {
            scale = index.producer(in(erf, 0), "Mul");
            x = scale == null ? null : other(scale, constantOperand(scale, index, Math.sqrt(0.5)));
        }
        if (x == null || index.consumers(out(scale)).size() != 1) {
            return null;
        }
        OnnxNode addOne = index.soleConsumer(out(erf), "Add");
        if (addOne == null || !near(index.scalar(other(addOne, out(erf))), 1.0)) {
            return null;
        }
        OnnxNode mul = index.soleConsumer(out(addOne), "Mul");
        if (mul == null || !x.equals(other(mul, out(addOne)))) {
            return null;
        }
        OnnxNode half = index.soleConsumer(out(mul), "Mul");
        if (half == null || !near(index.scalar(other(half, out(mul))), 0.5)) {
            return null;
        }
        List<OnnxNode> region = List.of(scale, erf, addOne, mul, half);
        return index.closed(region, out(half)) ? fusion("Gelu", region, out(half), List.of(x), List.of()) : null;
    }

    /** The input of a two-input node that is a constant near {@code value}, or null. */
    private static String constantOperand(OnnxNode node, OnnxGraphIndex index, double value) {
        for (int k = 0; k < Math.min(2, node.proto.getInputCount()); k++) {
            if (near(index.scalar(in(node, k)), value)) {
                return in(node, k);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- attention

    private static final int[] SPLIT_HEADS = {0, 2, 1, 3};
    private static final int[] SPLIT_HEADS_T = {0, 2, 3, 1};

    /**
     * From Softmax: {@code s = MatMul(Transpose(q, 0 2 1 3), Transpose(k, 0 2 3 1)) / c [+ mask];
     * y = Transpose(MatMul(Softmax(s, last axis), Transpose(v, 0 2 1 3)), 0 2 1 3)}, c a constant (Div by c, or
     * Mul by 1/c), the mask Add in either order or absent. See {@link OnnxFusedOps} for the run-time conditions.
     */
    private Fusion attention(OnnxNode softmax, OnnxGraphIndex index) {
        if (!softmax.qualifiedOp().equals("Softmax")) {
            return null;
        }
        long axis = softmax.i("axis", opset >= 13 ? -1 : 1);
        if (axis != -1 && axis != 3) {
            return null;
        }
        List<OnnxNode> region = new ArrayList<>(List.of(softmax));
        String scores = in(softmax, 0);
        String mask = "";
        OnnxNode maskAdd = index.producer(scores, "Add");
        OnnxNode scale = null;
        if (maskAdd != null) {
            for (int k = 0; k < 2 && scale == null; k++) {
                scale = scaleOf(in(maskAdd, k), index);
                mask = scale == null ? "" : in(maskAdd, 1 - k);
            }
            region.add(maskAdd);
        } else {
            scale = scaleOf(scores, index);
        }
        if (scale == null) {
            return null;
        }
        double divisor =
                scale.op().equals("Div") ? index.scalar(in(scale, 1)) : 1 / index.scalar(other(scale, in(scale, 0)));
        OnnxNode qk = index.producer(in(scale, 0), "MatMul");
        OnnxNode qT = qk == null ? null : transpose(in(qk, 0), SPLIT_HEADS, index);
        OnnxNode kT = qk == null ? null : transpose(in(qk, 1), SPLIT_HEADS_T, index);
        OnnxNode pv = index.soleConsumer(out(softmax), "MatMul");
        if (qT == null || kT == null || pv == null || !in(pv, 0).equals(out(softmax))) {
            return null;
        }
        OnnxNode vT = transpose(in(pv, 1), SPLIT_HEADS, index);
        OnnxNode merge = index.soleConsumer(out(pv), "Transpose");
        if (vT == null || merge == null || !Arrays.equals(merge.ints("perm", null), SPLIT_HEADS)) {
            return null;
        }
        region.addAll(List.of(scale, qk, qT, kT, pv, vT, merge));
        if (!index.closed(region, out(merge))) {
            return null;
        }
        return fusion(
                "Attention",
                region,
                out(merge),
                List.of(in(qT, 0), in(kT, 0), in(vT, 0), mask),
                List.of(floatAttribute("divisor", divisor)));
    }

    /** The Div-by-constant (or Mul-by-constant) node producing {@code value} from a MatMul, or null. */
    private static OnnxNode scaleOf(String value, OnnxGraphIndex index) {
        OnnxNode div = index.producer(value, "Div");
        if (div != null && index.scalar(in(div, 1)) != null && index.producer(in(div, 0), "MatMul") != null) {
            return div;
        }
        OnnxNode mul = index.producer(value, "Mul");
        if (mul != null && index.scalar(in(mul, 1)) != null && index.producer(in(mul, 0), "MatMul") != null) {
            return mul;
        }
        return null;
    }

    private static OnnxNode transpose(String value, int[] perm, OnnxGraphIndex index) {
        OnnxNode t = index.producer(value, "Transpose");
        return t != null && Arrays.equals(t.ints("perm", null), perm) ? t : null;
    }

    // ---------------------------------------------------------------- MatMul + Add

    /**
     * From MatMul: {@code y = Add(MatMul(x, W), b)} with W and b float initializers (a Linear layer's export), or
     * {@code W = Transpose(V, perm 1 0)} of a float initializer V (N, K) read only there (Torchlet's own export):
     * then the fused node takes V itself (attribute transposed = 1) and no transpose runs.
     */
    private Fusion linear(OnnxNode matmul, OnnxGraphIndex index) {
        if (!matmul.qualifiedOp().equals("MatMul")) {
            return null;
        }
        String weight = in(matmul, 1);
        OnnxNode transpose = index.producer(weight, "Transpose");
        if (transpose != null) {
            Tensor v = graph.initializers.get(in(transpose, 0));
            int[] perm = transpose.ints("perm", null);
            boolean swap = v != null && v.dim() == 2 && (perm == null || Arrays.equals(perm, new int[] {1, 0}));
            transpose = swap ? transpose : null;
            weight = swap ? in(transpose, 0) : weight;
        }
        if (!graph.initializers.containsKey(weight)) {
            return null;
        }
        OnnxNode add = index.soleConsumer(out(matmul), "Add");
        String bias = add == null ? null : other(add, out(matmul));
        if (bias == null || !graph.initializers.containsKey(bias) || bias.equals(out(matmul))) {
            return null;
        }
        List<OnnxNode> region = new ArrayList<>(List.of(matmul, add));
        if (transpose != null) {
            region.add(transpose);
        }
        return index.closed(region, out(add))
                ? fusion(
                        "Linear",
                        region,
                        out(add),
                        List.of(in(matmul, 0), weight, bias),
                        List.of(intAttribute("transposed", transpose != null ? 1 : 0)))
                : null;
    }

    // ---------------------------------------------------------------- Conv + BatchNormalization (+ Relu)

    /** From Conv: {@code BatchNormalization(Conv(x, W[, b]), scale, bias, mean, var)}, then optionally Relu. */
    private Fusion convBatchNorm(OnnxNode conv, OnnxGraphIndex index) {
        if (!conv.qualifiedOp().equals("Conv")) {
            return null;
        }
        OnnxNode bn = index.soleConsumer(out(conv), "BatchNormalization");
        if (bn == null
                || bn.proto.getInputCount() != 5
                || bn.proto.getOutputCount() != 1
                || !in(bn, 0).equals(out(conv))
                || bn.has("spatial") && bn.i("spatial", 1) != 1) {
            return null;
        }
        OnnxNode relu = index.soleConsumer(out(bn), "Relu");
        List<OnnxNode> region = new ArrayList<>(List.of(conv, bn));
        if (relu != null) {
            region.add(relu);
        }
        String output = relu != null ? out(relu) : out(bn);
        if (!index.closed(region, output)) {
            return null;
        }
        List<AttributeProto> attributes = new ArrayList<>();
        for (AttributeProto a : conv.proto.getAttributeList()) {
            attributes.add(a);
        }
        attributes.add(floatAttribute("epsilon", bn.f("epsilon", 1e-5f)));
        attributes.add(intAttribute("relu", relu != null ? 1 : 0));
        List<String> leading =
                List.of(in(conv, 0), in(conv, 1), in(conv, 2), in(bn, 1), in(bn, 2), in(bn, 3), in(bn, 4));
        return fusion("ConvBatchNorm", region, output, leading, attributes);
    }

    // ---------------------------------------------------------------- Conv + Relu / Clip

    /**
     * From Conv: {@code Relu(Conv(x, W[, b]))} or {@code Clip(Conv(x, W[, b]), min, max)} with constant bounds (or
     * scalar parameters, assumed to keep their values), e.g. MobileNet's ReLU6.
     */
    private Fusion convClamp(OnnxNode conv, OnnxGraphIndex index) {
        if (!conv.qualifiedOp().equals("Conv")) {
            return null;
        }
        OnnxNode act = index.soleConsumer(out(conv), "Relu");
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        if (act == null) {
            act = index.soleConsumer(out(conv), "Clip");
            if (act == null || act.proto.getOutputCount() != 1 || !in(act, 0).equals(out(conv))) {
                return null;
            }
            if (act.opset < 11) {
                lo = act.f("min", Float.NEGATIVE_INFINITY);
                hi = act.f("max", Float.POSITIVE_INFINITY);
            } else {
                Double min = in(act, 1).isEmpty() ? (Double) Double.NEGATIVE_INFINITY : index.scalar(in(act, 1));
                Double max = in(act, 2).isEmpty() ? (Double) Double.POSITIVE_INFINITY : index.scalar(in(act, 2));
                if (min == null || max == null || !(min <= max)) {
                    return null;
                }
                lo = min;
                hi = max;
            }
        }
        List<OnnxNode> region = List.of(conv, act);
        if (!index.closed(region, out(act))) {
            return null;
        }
        List<AttributeProto> attributes = new ArrayList<>(conv.proto.getAttributeList());
        attributes.add(floatAttribute("lo", lo));
        attributes.add(floatAttribute("hi", hi));
        return fusion("ConvClamp", region, out(act), List.of(in(conv, 0), in(conv, 1), in(conv, 2)), attributes);
    }

    // ---------------------------------------------------------------- Conv + Add (+ Relu)

    /**
     * From Conv: {@code Add(Conv(x, W[, b]), r)} (either operand order), then optionally Relu: a residual block's last
     * convolution and shortcut (ResNet's, with Relu; MobileNetV2's, without), which the convolution kernels add as
     * they store the output.
     */
    private Fusion convAdd(OnnxNode conv, OnnxGraphIndex index) {
        if (!conv.qualifiedOp().equals("Conv")) {
            return null;
        }
        OnnxNode add = index.soleConsumer(out(conv), "Add");
        if (add == null || add.proto.getInputCount() != 2 || add.proto.getOutputCount() != 1) {
            return null;
        }
        String addend = other(add, out(conv));
        if (addend == null || addend.isEmpty() || addend.equals(out(conv))) {
            return null;
        }
        OnnxNode relu = index.soleConsumer(out(add), "Relu");
        List<OnnxNode> region = new ArrayList<>(List.of(conv, add));
        if (relu != null) {
            region.add(relu);
        }
        String output = relu != null ? out(relu) : out(add);
        if (!index.closed(region, output)) {
            return null;
        }
        List<AttributeProto> attributes = new ArrayList<>(conv.proto.getAttributeList());
        attributes.add(floatAttribute("lo", relu != null ? 0 : Double.NEGATIVE_INFINITY));
        attributes.add(floatAttribute("hi", Double.POSITIVE_INFINITY));
        return fusion(
                "ConvAddClamp", region, output, List.of(in(conv, 0), in(conv, 1), in(conv, 2), addend), attributes);
    }

    // ---------------------------------------------------------------- ConvClamp + MaxPool

    /**
     * From a fused ConvClamp with explicit, symmetric padding read only by a MaxPool (one output, explicit symmetric
     * pads at most half its kernel, row-major indices not asked for): ResNet's stem. One ConvClampMaxPool node pools
     * the convolution's rows as they are computed ({@link dev.torchlet.ops.Convolution#conv2dClampedMaxPool}).
     */
    private Fusion convClampMaxPool(OnnxNode conv, OnnxGraphIndex index) {
        if (!conv.qualifiedOp().equals(OnnxFusedOps.DOMAIN + ".ConvClamp") || conv.has(OnnxFusedOps.ASSUMED_INPUTS)) {
            return null;
        }
        OnnxNode pool = index.soleConsumer(out(conv), "MaxPool");
        if (pool == null || pool.proto.getOutputCount() != 1 || !in(pool, 0).equals(out(conv))) {
            return null;
        }
        int[] kernel = pool.ints("kernel_shape", null);
        int[] pads = pool.ints("pads", new int[4]);
        boolean plainPool = kernel != null
                && kernel.length == 2
                && explicitSymmetricPads(pool)
                && pads[0] <= kernel[0] / 2
                && pads[1] <= kernel[1] / 2
                && pool.i("storage_order", 0) == 0;
        List<OnnxNode> region = List.of(conv, pool);
        if (!plainPool || !explicitSymmetricPads(conv) || !index.closed(region, out(pool))) {
            return null;
        }
        List<AttributeProto> attributes = new ArrayList<>(conv.proto.getAttributeList()); // Conv's, lo and hi
        attributes.add(intsAttribute("pool_kernel_shape", kernel));
        attributes.add(intsAttribute("pool_strides", pool.ints("strides", new int[] {1, 1})));
        attributes.add(intsAttribute("pool_pads", new int[] {pads[0], pads[1]}));
        attributes.add(intsAttribute("pool_dilations", pool.ints("dilations", new int[] {1, 1})));
        attributes.add(intAttribute("pool_ceil_mode", pool.i("ceil_mode", 0)));
        return fusion(
                "ConvClampMaxPool", region, out(pool), List.of(in(conv, 0), in(conv, 1), in(conv, 2)), attributes);
    }

    /** True when node (Conv or a pooling) pads explicitly, the same on both sides of each dim (4 pads or none). */
    private static boolean explicitSymmetricPads(OnnxNode node) {
        int[] pads = node.ints("pads", new int[4]);
        return node.s("auto_pad", "NOTSET").equals("NOTSET")
                && pads.length == 4
                && pads[0] == pads[2]
                && pads[1] == pads[3];
    }

    // ---------------------------------------------------------------- expansion 1x1 + depthwise 3x3

    /**
     * From a fused ConvClamp that is a 1x1 convolution (stride 1, no padding) read only by a fused ConvClamp that is
     * its depthwise 3x3 (padding 1, stride 1 or 2): MobileNetV2's expansion and depthwise convolutions, each with
     * its ReLU6. One PointwiseDepthwise node runs them over strips of rows so that the expanded tensor is never
     * stored whole ({@link dev.torchlet.ops.Convolution#pointwiseDepthwise}). Bounds read from scalar parameters
     * (an assumed Clip min/max) keep the two nodes apart.
     */
    private Fusion pointwiseDepthwise(OnnxNode expand, OnnxGraphIndex index) {
        String convClamp = OnnxFusedOps.DOMAIN + ".ConvClamp";
        if (!expand.qualifiedOp().equals(convClamp) || expand.has(OnnxFusedOps.ASSUMED_INPUTS)) {
            return null;
        }
        OnnxNode depthwise = index.soleConsumer(out(expand), convClamp);
        if (depthwise == null
                || depthwise.has(OnnxFusedOps.ASSUMED_INPUTS)
                || !in(depthwise, 0).equals(out(expand))) {
            return null;
        }
        Tensor we = graph.initializers.get(in(expand, 1));
        Tensor wd = graph.initializers.get(in(depthwise, 1));
        if (we == null || wd == null || we.dim() != 4) {
            return null;
        }
        int hidden = we.size(0);
        int[] strides = depthwise.ints("strides", new int[] {1, 1});
        int stride = strides.length == 2 ? strides[0] : -1;
        boolean pointwise = we.size(2) == 1 && we.size(3) == 1 && plainConv(expand, 1, 0, 1);
        boolean depthwise3x3 = Arrays.equals(wd.shape(), new int[] {hidden, 1, 3, 3})
                && (stride == 1 || stride == 2)
                && plainConv(depthwise, stride, 1, hidden);
        List<OnnxNode> region = List.of(expand, depthwise);
        if (!pointwise || !depthwise3x3 || !index.closed(region, out(depthwise))) {
            return null;
        }
        List<AttributeProto> attributes = List.of(
                intAttribute("stride", stride),
                floatAttribute("lo1", expand.f("lo", Float.NEGATIVE_INFINITY)),
                floatAttribute("hi1", expand.f("hi", Float.POSITIVE_INFINITY)),
                floatAttribute("lo2", depthwise.f("lo", Float.NEGATIVE_INFINITY)),
                floatAttribute("hi2", depthwise.f("hi", Float.POSITIVE_INFINITY)));
        List<String> leading = List.of(in(expand, 0), in(expand, 1), in(expand, 2), in(depthwise, 1), in(depthwise, 2));
        return fusion("PointwiseDepthwise", region, out(depthwise), leading, attributes);
    }

    // ---------------------------------------------------------------- MobileNetV2's whole inverted residual block

    /**
     * From a 1x1 projection (a plain Conv, or a ConvAddClamp without a clamp whose addend is the block's input) of
     * a PointwiseDepthwise, or of a depthwise 3x3 ConvClamp (a block without expansion), read by nothing else: the
     * whole block as one InvertedResidual node ({@link dev.torchlet.ops.Convolution#invertedResidual}: one pass over
     * strips of rows on a channels-last batch).
     */
    private Fusion invertedResidual(OnnxNode projection, OnnxGraphIndex index) {
        boolean adds = projection.qualifiedOp().equals(OnnxFusedOps.DOMAIN + ".ConvAddClamp")
                && projection.f("lo", 0f) == Float.NEGATIVE_INFINITY
                && projection.f("hi", 0f) == Float.POSITIVE_INFINITY;
        if (!adds && !projection.qualifiedOp().equals("Conv")) {
            return null;
        }
        Tensor wp = graph.initializers.get(in(projection, 1));
        OnnxNode dw = index.producer(in(projection, 0), OnnxFusedOps.DOMAIN + ".PointwiseDepthwise");
        boolean expands = dw != null;
        if (dw == null) {
            dw = index.producer(in(projection, 0), OnnxFusedOps.DOMAIN + ".ConvClamp");
        }
        if (wp == null || wp.dim() != 4 || dw == null || dw.has(OnnxFusedOps.ASSUMED_INPUTS)) {
            return null;
        }
        Tensor wd = graph.initializers.get(in(dw, expands ? 3 : 1));
        if (wd == null || wd.dim() != 4) {
            return null;
        }
        int hidden = wd.size(0);
        int stride = expands ? (int) dw.i("stride", 1) : dw.ints("strides", new int[] {1, 1})[0];
        boolean depthwise3x3 = Arrays.equals(wd.shape(), new int[] {hidden, 1, 3, 3})
                && (stride == 1 || stride == 2)
                && (expands || plainConv(dw, stride, 1, hidden));
        boolean pointwise =
                Arrays.equals(wp.shape(), new int[] {wp.size(0), hidden, 1, 1}) && plainConv(projection, 1, 0, 1);
        String x = in(dw, 0);
        List<OnnxNode> region = List.of(dw, projection);
        if (!depthwise3x3
                || !pointwise
                || (adds && !in(projection, 3).equals(x))
                || !index.closed(region, out(projection))) {
            return null;
        }
        List<AttributeProto> attributes = List.of(
                intAttribute("stride", stride),
                floatAttribute("lo1", expands ? dw.f("lo1", Float.NEGATIVE_INFINITY) : Double.NEGATIVE_INFINITY),
                floatAttribute("hi1", expands ? dw.f("hi1", Float.POSITIVE_INFINITY) : Double.POSITIVE_INFINITY),
                floatAttribute("lo2", dw.f(expands ? "lo2" : "lo", Float.NEGATIVE_INFINITY)),
                floatAttribute("hi2", dw.f(expands ? "hi2" : "hi", Float.POSITIVE_INFINITY)),
                intAttribute("add_input", adds ? 1 : 0));
        List<String> leading = List.of(
                x,
                expands ? in(dw, 1) : "",
                expands ? in(dw, 2) : "",
                in(dw, expands ? 3 : 1),
                in(dw, expands ? 4 : 2),
                in(projection, 1),
                in(projection, 2));
        return fusion("InvertedResidual", region, out(projection), leading, attributes);
    }

    /** True when conv has explicit padding p on every side, stride s, no dilation and g groups. */
    private static boolean plainConv(OnnxNode conv, int s, int p, int g) {
        return conv.s("auto_pad", "NOTSET").equals("NOTSET")
                && Arrays.equals(conv.ints("strides", new int[] {1, 1}), new int[] {s, s})
                && Arrays.equals(conv.ints("pads", new int[] {0, 0, 0, 0}), new int[] {p, p, p, p})
                && Arrays.equals(conv.ints("dilations", new int[] {1, 1}), new int[] {1, 1})
                && conv.i("group", 1) == g;
    }

    // ---------------------------------------------------------------- dead nodes

    /** Drops nodes none of whose outputs is read or a graph output (batch norm and subgraph nodes stay). */
    private void dropDeadNodes() {
        Set<String> live = new HashSet<>(outputs);
        List<OnnxNode> kept = new ArrayList<>();
        for (int k = nodes.size() - 1; k >= 0; k--) {
            OnnxNode node = nodes.get(k);
            boolean needed = node.op().equals("BatchNormalization")
                    || !node.implicitInputs().isEmpty();
            for (String o : node.proto.getOutputList()) {
                needed |= live.contains(o);
            }
            if (needed) {
                live.addAll(OnnxGraphIndex.reads(node));
                kept.add(0, node);
            }
        }
        nodes = kept;
        folded.keySet().retainAll(live);
    }
}
