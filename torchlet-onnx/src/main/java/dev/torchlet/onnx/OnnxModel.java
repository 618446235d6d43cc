package dev.torchlet.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.torchlet.DType;
import dev.torchlet.InferenceMode;
import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.onnx.proto.Onnx.GraphProto;
import dev.torchlet.onnx.proto.Onnx.ModelProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import dev.torchlet.onnx.proto.Onnx.OperatorSetIdProto;
import dev.torchlet.onnx.proto.Onnx.TensorShapeProto;
import dev.torchlet.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An ONNX model imported as a Torchlet {@link dev.torchlet.nn.Module}: the graph runs on Torchlet's ops, and the
 * float initializers are trainable parameters under their ONNX names (batch-norm statistics and float64 ones are
 * buffers; integer initializers stay graph constants, outside the state dict). {@link #run} takes and returns
 * tensors by the graph's input and output names; {@link #forward} is the one-input, first-output form.
 *
 * <pre>{@code
 * OnnxModel model = OnnxModel.load(Path.of("model.onnx"));
 * Tensor logits = model.call(images);                       // (N, C, H, W) -> first output
 * model.freeze("stem.*");                                    // initializers are parameters
 * }</pre>
 *
 * <p>Loading checks everything before returning: the file parses as a ModelProto, the default-domain opset is
 * within {@link #MIN_OPSET}..{@link #MAX_OPSET}, every operator is supported (all unsupported ones are listed at
 * once, with their node names), and every tensor and external-data file reads. It then optimizes the graph for
 * Torchlet's fused kernels ({@link Options}): {@link #operatorCounts()} still lists the file's operators,
 * {@link #fusedOperatorCounts()} the nodes that run.
 */
public final class OnnxModel extends ParameterTree {
    /** The default-domain opsets this importer reads. */
    public static final int MIN_OPSET = 7;

    public static final int MAX_OPSET = 17;

    private final OnnxGraph graph;
    private final List<OnnxNode> nodes;
    private final List<ValueInfoProto> inputs;
    private final List<String> outputs;
    private final Map<String, Tensor> constants; // initializers that are not registered (unused or non-float)
    private final Map<String, String[]> initializerPath = new HashMap<>(); // ONNX name -> {module path, local name}
    private final int opset;
    private final String producer;
    /** Graph inputs that a convolution reads: fed channels-last in inference (see {@link Options}). */
    private final Set<String> channelsLastInputs = new HashSet<>();

    private OnnxModel(OnnxGraph graph, int opset, String producer) {
        this.opset = opset;
        this.producer = producer;
        this.graph = graph;
        this.nodes = graph.nodes;
        Map<String, Tensor> initializers = graph.initializers;
        this.inputs = graph.inputs;
        this.outputs = graph.outputs;
        this.constants = new LinkedHashMap<>();
        Set<String> statistics = new HashSet<>(); // batch-norm running mean and variance: buffers
        for (OnnxNode node : nodes) {
            if (node.op().equals("BatchNormalization") && node.proto.getInputCount() >= 5) {
                statistics.add(node.proto.getInput(3));
                statistics.add(node.proto.getInput(4));
            }
        }
        for (var e : initializers.entrySet()) {
            Tensor t = e.getValue();
            boolean trainable = t.dtype() == DType.FLOAT32 && !statistics.contains(e.getKey());
            if (t.dtype() == DType.FLOAT32 || t.dtype() == DType.FLOAT64) {
                register(e.getKey(), trainable ? t.requiresGrad(true) : t, trainable);
            } else {
                constants.put(e.getKey(), t);
            }
        }
    }

    /**
     * How a model is imported. {@code optimize}: rewrite the graph at load time to run on Torchlet's fused kernels
     * (constant folding; LayerNorm, GELU, attention, MatMul + bias and Conv + BatchNormalization (+ Relu) patterns
     * fused; see {@link #fusedOperatorCounts()}), computing the same values up to float rounding, with gradients
     * reaching the same named parameters; and in no-grad inference an image input that a convolution reads is fed
     * channels-last, as ONNX Runtime reorders it into its own layout (the outputs' values are the same; a 4-D
     * output may come out channels-last, see {@link dev.torchlet.MemoryFormat}). Off: the file's nodes run one by
     * one, as written.
     */
    public record Options(boolean optimize) {
        /** Optimized. */
        public static Options defaults() {
            return new Options(true);
        }
    }

    /** Reads an ONNX file (external data is looked up next to it), optimized ({@link Options#defaults()}). */
    public static OnnxModel load(Path path) throws IOException {
        return load(path, Options.defaults());
    }

    /** Reads an ONNX file (external data is looked up next to it). */
    public static OnnxModel load(Path path, Options options) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("ONNX: no such file " + path);
        }
        byte[] bytes = Files.readAllBytes(path);
        Path dir = path.toAbsolutePath().getParent();
        return load(bytes, dir, path.toString(), options);
    }

    /** Reads an ONNX model from bytes, optimized; {@code dir} resolves external data (null: none allowed). */
    public static OnnxModel load(byte[] bytes, Path dir, String description) throws IOException {
        return load(bytes, dir, description, Options.defaults());
    }

    /** Reads an ONNX model from bytes; {@code dir} resolves external data (null: none allowed). */
    public static OnnxModel load(byte[] bytes, Path dir, String description, Options options) throws IOException {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(
                    "ONNX: " + description + " is not an ONNX model (truncated or another format): " + e.getMessage(),
                    e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IOException("ONNX: " + description + " has no graph (is it an ONNX model?)");
        }
        int opset = defaultOpset(model, description);
        List<String> malformed = new ArrayList<>();
        collectMalformed(model.getGraph(), malformed);
        if (!malformed.isEmpty()) {
            throw new IOException("ONNX: " + description + " is malformed: "
                    + String.join("; ", malformed.subList(0, Math.min(5, malformed.size())))
                    + (malformed.size() > 5 ? "; and " + (malformed.size() - 5) + " more" : ""));
        }
        List<String> unsupported = new ArrayList<>();
        OnnxGraph.collectUnsupported(model.getGraph(), unsupported); // subgraphs (If / Loop bodies) too
        if (!unsupported.isEmpty()) {
            throw new IOException("ONNX: " + description + " uses " + unsupported.size() + " unsupported operator "
                    + "node(s): " + String.join(", ", unsupported) + ". Supported: "
                    + String.join(", ", OnnxOps.OPS.keySet()));
        }
        OnnxGraph graph = new OnnxGraph(model.getGraph(), opset, dir, Map.of());
        OnnxModel imported = new OnnxModel(graph, opset, model.getProducerName());
        if (options.optimize()) {
            OnnxGraphOptimizer.optimize(graph, opset, imported.constants);
            for (OnnxNode node : graph.nodes) { // Conv, the fused ConvBatchNorm, ConvClamp, ConvAddClamp nodes, blocks
                String op = node.qualifiedOp();
                boolean conv =
                        op.equals("Conv") || op.startsWith("torchlet.Conv") || op.equals("torchlet.InvertedResidual");
                if (conv && node.proto.getInputCount() > 0) {
                    imported.channelsLastInputs.add(node.proto.getInput(0));
                }
            }
            imported.channelsLastInputs.retainAll(imported.inputNames());
        }
        return imported;
    }

    /**
     * Structural faults no valid exporter writes (found by fuzzing, OnnxModelFuzzTest): a node without a named
     * output, an initializer without a name or named twice. Subgraphs (If / Loop bodies) are checked too.
     */
    private static void collectMalformed(GraphProto graph, List<String> problems) {
        Set<String> initializers = new HashSet<>();
        for (int k = 0; k < graph.getInitializerCount(); k++) {
            String name = graph.getInitializer(k).getName();
            if (name.isEmpty()) {
                problems.add("initializer #" + k + " has no name");
            } else if (!initializers.add(name)) {
                problems.add("initializer '" + name + "' is defined twice");
            }
        }
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOutputCount() == 0 || node.getOutput(0).isEmpty()) {
                problems.add(node.getOpType() + " node '" + node.getName() + "' has no (first) output");
            }
            for (var a : node.getAttributeList()) {
                if (a.hasG()) {
                    collectMalformed(a.getG(), problems);
                }
                a.getGraphsList().forEach(g -> collectMalformed(g, problems));
            }
        }
    }

    private static int defaultOpset(ModelProto model, String description) throws IOException {
        int opset = -1;
        for (OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                opset = (int) id.getVersion();
            }
        }
        if (opset < 0 && model.getOpsetImportCount() == 0) {
            opset = 1; // IR version 1-2 files name no opset: the first one
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IOException("ONNX: " + description + " uses opset " + opset + " of the default domain; "
                    + "Torchlet imports opsets " + MIN_OPSET + " to " + MAX_OPSET);
        }
        return opset;
    }

    /** Registers an initializer under its dotted name, creating the intermediate tree nodes. */
    private void register(String onnxName, Tensor value, boolean parameter) {
        String[] parts = onnxName.split("\\.", -1);
        boolean nested = parts.length > 1 && Arrays.stream(parts).noneMatch(String::isEmpty);
        ParameterTree owner = this;
        String local = onnxName.replace('.', '_');
        String path = "";
        if (nested) {
            for (int k = 0; k < parts.length - 1 && owner != null; k++) {
                owner = owner.child(parts[k], true);
            }
            local = parts[parts.length - 1];
            path = String.join(".", Arrays.copyOf(parts, parts.length - 1));
        }
        if (owner == null || owner.uses(local)) { // a clash with another initializer's path: keep it flat
            owner = this;
            local = onnxName.replace('.', '_');
            path = "";
            while (uses(local)) {
                local = local + "_";
            }
        }
        if (parameter) {
            owner.addParameter(local, value);
        } else {
            owner.addBuffer(local, value);
        }
        initializerPath.put(onnxName, new String[] {path, local});
    }

    /** The current tensor of an initializer (the parameter an optimizer may have updated). */
    private Tensor initializer(String onnxName) {
        String[] where = initializerPath.get(onnxName);
        ParameterTree owner = where[0].isEmpty() ? this : (ParameterTree) getSubmodule(where[0]);
        Tensor p = owner.parameter(where[1]);
        return p != null ? p : owner.buffer(where[1]);
    }

    public List<String> inputNames() {
        return inputs.stream().map(ValueInfoProto::getName).toList();
    }

    public List<String> outputNames() {
        return outputs;
    }

    /** The default-domain opset the file was exported with. */
    public int opset() {
        return opset;
    }

    /** The exporter's name ("pytorch", ...). */
    public String producer() {
        return producer;
    }

    /** Operator -> number of nodes, as in the file (before any optimization). */
    public Map<String, Integer> operatorCounts() {
        return counts(nodes);
    }

    /**
     * Operator -> number of nodes that run: after optimization, fused operators appear as "torchlet.LayerNorm",
     * "torchlet.Gelu", "torchlet.Attention", "torchlet.Linear", "torchlet.ConvBatchNorm", "torchlet.ConvClamp", and
     * folded or fused nodes are gone; without it, the same as {@link #operatorCounts()}.
     */
    public Map<String, Integer> fusedOperatorCounts() {
        return counts(graph.plan());
    }

    private static Map<String, Integer> counts(List<OnnxNode> list) {
        Map<String, Integer> counts = new TreeMap<>();
        for (OnnxNode n : list) {
            counts.merge(n.qualifiedOp(), 1, Integer::sum);
        }
        return counts;
    }

    /** Input name -> shape with dynamic dimensions as -1 (null when the graph gives no shape). */
    public Map<String, int[]> inputShapes() {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (ValueInfoProto v : inputs) {
            if (!v.getType().getTensorType().hasShape()) {
                shapes.put(v.getName(), null);
                continue;
            }
            TensorShapeProto shape = v.getType().getTensorType().getShape();
            int[] dims = new int[shape.getDimCount()];
            for (int i = 0; i < dims.length; i++) {
                var d = shape.getDim(i);
                dims[i] = d.hasDimValue() ? (int) d.getDimValue() : -1;
            }
            shapes.put(v.getName(), dims);
        }
        return shapes;
    }

    /** Runs the graph: inputs by name -> every graph output by name. */
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        Map<String, Tensor> values = new HashMap<>(constants);
        for (String name : initializerPath.keySet()) {
            values.put(name, initializer(name));
        }
        Map<String, int[]> shapes = inputShapes();
        for (String name : inputNames()) {
            Tensor t = feeds.get(name);
            if (t == null) {
                throw new IllegalArgumentException("ONNX model: input '" + name + "' is missing; inputs: "
                        + inputNames() + ", given: " + feeds.keySet());
            }
            int[] want = shapes.get(name);
            boolean fits = want == null || want.length == t.dim();
            for (int i = 0; fits && want != null && i < want.length; i++) {
                fits = want[i] < 0 || want[i] == t.size(i);
            }
            if (!fits) {
                throw new IllegalArgumentException("ONNX model: input '" + name + "' has shape "
                        + Arrays.toString(t.shape()) + " but the graph expects " + Arrays.toString(want)
                        + " (-1: any size)");
            }
            values.put(name, channelsLastInputs.contains(name) && !isTraining() ? channelsLast(t) : t);
        }
        graph.execute(values, isTraining());
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (String name : outputs) {
            result.put(name, values.get(name));
        }
        return result;
    }

    /**
     * An image batch a convolution reads, channels-last in no-grad mode: as ONNX Runtime reorders activations into
     * its blocked layout, so the convolutions run the channels-last kernels and the ops between them keep the layout
     * (see {@link dev.torchlet.MemoryFormat}). The values are the same. With autograd on, the convolutions would run
     * their NCHW kernels anyway, so the batch stays as it is; in inference mode a contiguous image of at most 4
     * channels does too: the convolution reads it as it is and writes channels-last (an image stem, see
     * {@link dev.torchlet.InferenceMode}), which saves converting it first.
     */
    private static Tensor channelsLast(Tensor t) {
        boolean image = t.dim() == 4 && t.dtype() == DType.FLOAT32 && !Torch.isGradEnabled();
        boolean stemReadsIt = InferenceMode.isEnabled() && t.isContiguous() && image && t.size(1) <= 4;
        return image && !stemReadsIt ? t.contiguous(MemoryFormat.CHANNELS_LAST) : t;
    }

    /** One input -> the first output. */
    @Override
    public Tensor forward(Tensor input) {
        List<String> names = inputNames();
        if (names.size() != 1) {
            throw new IllegalArgumentException(
                    "ONNX model: forward takes one input but the graph has " + names + "; use run(Map)");
        }
        return run(Map.of(names.get(0), input)).get(outputs.get(0));
    }
}
