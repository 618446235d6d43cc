package dev.torchlet.onnx;

import dev.torchlet.InferenceMode;
import dev.torchlet.Tensor;
import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.GraphProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import dev.torchlet.onnx.proto.Onnx.TensorProto;
import dev.torchlet.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX graph ready to run: the top-level graph of an {@link OnnxModel} or the body of an If / Loop node.
 * {@link #execute} runs the nodes in order over a map of named values. A subgraph may read values of the graphs
 * around it by name; those names are its {@link #outerNames() outer names}, and the node that owns the subgraph
 * passes them in as extra, implicit inputs (see {@link OnnxNode#implicitInputs()}), as ONNX Runtime does.
 */
final class OnnxGraph {
    final List<OnnxNode> nodes = new ArrayList<>(); // as in the file
    final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private List<OnnxNode> plan = nodes; // what runs: the file's nodes, or the optimizer's rewrite of them
    private Map<String, Tensor> folded = Map.of(); // values the optimizer computed at load time, by name
    private volatile OnnxLiveness liveness; // the plan's last uses, for inference mode's buffer recycling
    final List<ValueInfoProto> inputs;
    final List<String> outputs;
    final List<ValueInfoProto> outputInfo; // declared element types and shapes of the outputs
    private final List<String> outerNames;

    /**
     * Reads the graph, its initializers and (recursively) its subgraphs. {@code outerTypes} are the ONNX element
     * types known in the enclosing graphs (empty at the top level); {@code dir} resolves external data.
     */
    OnnxGraph(GraphProto graph, int opset, Path dir, Map<String, Integer> outerTypes) throws IOException {
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), OnnxTensors.read(t, dir));
        }
        this.inputs = graph.getInputList().stream()
                .filter(v -> !initializers.containsKey(v.getName()))
                .toList();
        this.outputs =
                graph.getOutputList().stream().map(ValueInfoProto::getName).toList();
        this.outputInfo = graph.getOutputList();
        Map<String, Integer> types = OnnxElementTypes.declared(graph, outerTypes);
        Set<String> defined = new LinkedHashSet<>(initializers.keySet());
        graph.getInputList().forEach(v -> defined.add(v.getName()));
        Set<String> outer = new LinkedHashSet<>();
        for (NodeProto proto : graph.getNodeList()) {
            Map<String, OnnxGraph> subgraphs = new LinkedHashMap<>();
            for (AttributeProto a : proto.getAttributeList()) {
                if (a.getType() == AttributeProto.AttributeType.GRAPH) {
                    subgraphs.put(a.getName(), new OnnxGraph(a.getG(), opset, dir, types));
                }
            }
            int[] inputTypes = new int[proto.getInputCount()];
            for (int k = 0; k < inputTypes.length; k++) {
                inputTypes[k] = types.getOrDefault(proto.getInput(k), OnnxElementTypes.UNKNOWN);
            }
            OnnxNode node = new OnnxNode(proto, opset, inputTypes, subgraphs);
            nodes.add(node);
            List<String> reads = new ArrayList<>(proto.getInputList());
            reads.addAll(node.implicitInputs());
            for (String name : reads) {
                if (!name.isEmpty() && !defined.contains(name)) {
                    outer.add(name);
                }
            }
            int[] outputTypes = OnnxElementTypes.outputs(node);
            for (int k = 0; k < proto.getOutputCount(); k++) {
                defined.add(proto.getOutput(k));
                if (outputTypes[k] != OnnxElementTypes.UNKNOWN) {
                    types.putIfAbsent(proto.getOutput(k), outputTypes[k]);
                }
            }
        }
        for (String name : outputs) {
            if (!defined.contains(name)) {
                outer.add(name); // a subgraph may return an outer value directly
            }
        }
        this.outerNames = List.copyOf(outer);
    }

    /**
     * Runs {@code plan} instead of the file's nodes, with {@code folded} (values computed at load time) available by
     * name; see {@link OnnxGraphOptimizer}.
     */
    void usePlan(List<OnnxNode> plan, Map<String, Tensor> folded) {
        this.plan = List.copyOf(plan);
        this.folded = Map.copyOf(folded);
    }

    /** The nodes that run (the file's, or fused ones standing for some of them). */
    List<OnnxNode> plan() {
        return plan;
    }

    /** Names this graph reads from enclosing graphs (empty for a self-contained graph). */
    List<String> outerNames() {
        return outerNames;
    }

    List<String> inputNames() {
        return inputs.stream().map(ValueInfoProto::getName).toList();
    }

    /**
     * Runs a subgraph: {@code outer} holds (at least) its outer names, {@code args} bind its inputs in order; returns
     * its outputs in order.
     */
    Tensor[] call(Map<String, Tensor> outer, List<Tensor> args, boolean training) {
        List<String> names = inputNames();
        if (args.size() != names.size()) {
            throw new IllegalArgumentException(
                    "subgraph takes " + names.size() + " inputs " + names + " but got " + args.size());
        }
        Map<String, Tensor> values = new HashMap<>(outer);
        values.putAll(initializers);
        for (int k = 0; k < names.size(); k++) {
            values.put(names.get(k), args.get(k));
        }
        execute(values, training);
        Tensor[] out = new Tensor[outputs.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = values.get(outputs.get(k));
            if (out[k] == null) {
                throw new IllegalStateException("subgraph output '" + outputs.get(k) + "' was not computed");
            }
        }
        return out;
    }

    /** Runs the plan in order, reading its inputs from and writing its outputs to {@code values}. */
    void execute(Map<String, Tensor> values, boolean training) {
        folded.forEach(values::putIfAbsent);
        OnnxLiveness.Run recycling = null;
        if (InferenceMode.isEnabled() && !training) {
            OnnxLiveness plan = liveness;
            if (plan == null || !plan.isFor(this.plan)) {
                plan = OnnxLiveness.of(this.plan, outputs);
                liveness = plan;
            }
            recycling = plan.start(values); // values that die go back to the pool
        }
        run(plan, values, training, recycling);
    }

    /** Runs {@code nodes} in order, reading their inputs from and writing their outputs to {@code values}. */
    static void run(List<OnnxNode> nodes, Map<String, Tensor> values, boolean training) {
        run(nodes, values, training, null);
    }

    private static void run(
            List<OnnxNode> nodes, Map<String, Tensor> values, boolean training, OnnxLiveness.Run recycling) {
        for (int k = 0; k < nodes.size(); k++) {
            OnnxNode node = nodes.get(k);
            List<String> implicit = node.implicitInputs();
            int explicit = node.proto.getInputCount();
            Tensor[] in = new Tensor[explicit + implicit.size()];
            for (int i = 0; i < in.length; i++) {
                String name = i < explicit ? node.proto.getInput(i) : implicit.get(i - explicit);
                if (name.isEmpty()) {
                    continue; // an omitted optional input
                }
                in[i] = values.get(name);
                if (in[i] == null) {
                    throw new IllegalStateException("ONNX model: " + node.describe() + " reads '" + name
                            + "', which no earlier node produced (is the graph topologically sorted?)");
                }
            }
            Tensor[] out;
            try {
                out = OnnxFusedOps.lookup(node).apply(node, in, training);
            } catch (RuntimeException e) {
                String shapesIn = Arrays.stream(in, 0, explicit)
                        .map(t -> t == null ? "-" : Arrays.toString(t.shape()))
                        .reduce((a, b) -> a + ", " + b)
                        .orElse("");
                throw new IllegalArgumentException(
                        "ONNX model: " + node.describe() + " failed on inputs " + shapesIn + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < Math.min(out.length, node.proto.getOutputCount()); i++) {
                values.put(node.proto.getOutput(i), out[i]);
            }
            if (recycling != null) {
                recycling.after(k, out);
            }
        }
    }

    /** Adds "Op (node 'name')" for every node of the graph and its subgraphs that no registered operator runs. */
    static void collectUnsupported(GraphProto graph, List<String> unsupported) {
        for (NodeProto node : graph.getNodeList()) {
            String domain = node.getDomain();
            if (!(domain.isEmpty() || domain.equals("ai.onnx")) || !OnnxOps.OPS.containsKey(node.getOpType())) {
                unsupported.add(
                        (domain.isEmpty() ? "" : domain + ".") + node.getOpType() + " (node '" + node.getName() + "')");
            }
            for (AttributeProto a : node.getAttributeList()) {
                if (a.getType() == AttributeProto.AttributeType.GRAPH) {
                    collectUnsupported(a.getG(), unsupported);
                }
            }
        }
    }
}
