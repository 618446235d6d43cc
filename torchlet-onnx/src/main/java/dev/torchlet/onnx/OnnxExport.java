package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.AtomicFiles;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.RecurrentLayer;
import dev.torchlet.onnx.proto.Onnx.ModelProto;
import dev.torchlet.onnx.proto.Onnx.OperatorSetIdProto;
import dev.torchlet.onnx.proto.Onnx.TensorShapeProto;
import dev.torchlet.onnx.proto.Onnx.TypeProto;
import dev.torchlet.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a Torchlet model to ONNX (opset {@value #OPSET}) by tracing one forward pass, as
 * {@code torch.onnx.export} does: the model runs in eval mode on the example input with the autograd graph
 * recorded, and the graph is rebuilt as ONNX nodes from the output back. Parameters and buffers are initializers
 * under their state-dict names; the input is "input", the output "output", and dimension 0 of both is the symbolic
 * "batch" (any batch size runs).
 *
 * <pre>{@code
 * Module resnet = Models.create("resnet18", 1000);
 * OnnxExport.save(resnet, Torch.randn(1, 3, 224, 224), Path.of("resnet18.onnx"));
 * }</pre>
 *
 * <p>What traces: the zoo's vision models, the recurrent layers (LSTM, GRU, RNN as ONNX LSTM/GRU/RNN nodes), the
 * Transformer layers and the text models; see {@link ExportOps#SUPPORTED} for the op list. As with any tracer,
 * Java control flow is baked in for the example's shapes (only the batch size stays dynamic), and a tensor the
 * forward pass computes without recording (under no-grad, or from integer ops) becomes a constant.
 */
public final class OnnxExport {
    /** The default-domain opset of exported files. */
    public static final int OPSET = 17;

    private OnnxExport() {}

    /** Writes {@code model} traced on {@code example} to {@code path} (atomically), with a dynamic batch size. */
    public static void save(Module model, Tensor example, Path path) throws IOException {
        save(model, example, path, true);
    }

    /** As {@link #save(Module, Tensor, Path)}; {@code dynamicBatch} false fixes every shape to the example's. */
    public static void save(Module model, Tensor example, Path path, boolean dynamicBatch) throws IOException {
        AtomicFiles.writeBytes(path, export(model, example, dynamicBatch).toByteArray());
    }

    /** The ONNX model of {@code model} traced on {@code example}. The model's mode and flags are restored. */
    public static ModelProto export(Module model, Tensor example, boolean dynamicBatch) {
        boolean wasTraining = model.isTraining();
        Map<String, Tensor> parameters = model.namedParameters();
        Map<Tensor, Boolean> requiredGrad = new IdentityHashMap<>();
        parameters.values().forEach(p -> requiredGrad.put(p, p.requiresGrad()));
        Map<Tensor, ExportTracer.RecurrentCall> recurrentCalls = new IdentityHashMap<>();
        List<Module.HookHandle> hooks = new ArrayList<>();
        Tensor input = example.dtype().isFloatingPoint() ? example.detach().requiresGrad(true) : example.detach();
        Tensor output;
        try {
            model.eval();
            parameters.values().forEach(p -> p.requiresGrad(true)); // so every op on a weight is recorded
            for (Module m : model.modules()) {
                if (m instanceof RecurrentLayer layer) {
                    hooks.add(layer.registerForwardCallHook((module, inputs, out) -> {
                        recordRecurrent(recurrentCalls, layer, inputs, out);
                        return null;
                    }));
                }
            }
            try (var grad = Torch.enableGrad()) {
                output = model.call(input);
            }
        } finally {
            hooks.forEach(Module.HookHandle::remove);
            requiredGrad.forEach(Tensor::requiresGrad);
            model.train(wasTraining);
        }
        if (output.gradFn() == null && !recurrentCalls.containsKey(output) && output != input) {
            throw new IllegalArgumentException("ONNX export: the model's output was not recorded while tracing "
                    + "(does its forward run under noGrad or detach the result?); nothing to export");
        }
        Map<Tensor, String> stateNames = new IdentityHashMap<>();
        model.namedBuffers().forEach((name, t) -> stateNames.put(t, name));
        parameters.forEach((name, t) -> stateNames.put(t, name));
        ExportGraph graph = new ExportGraph();
        graph.reserve("input");
        graph.reserve("output");
        ExportTracer tracer = new ExportTracer(graph, input, "input", dynamicBatch, stateNames, recurrentCalls);
        String result = tracer.valueOf(output);
        graph.proto()
                .addNode(dev.torchlet.onnx.proto.Onnx.NodeProto.newBuilder()
                        .setOpType("Identity")
                        .setName("output_identity")
                        .addInput(result)
                        .addOutput("output"))
                .setName(model.getClass().getSimpleName())
                .addInput(valueInfo("input", input, dynamicBatch))
                .addOutput(valueInfo("output", output, dynamicBatch));
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("torchlet")
                .setProducerVersion("0.1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph.proto())
                .build();
    }

    private static void recordRecurrent(
            Map<Tensor, ExportTracer.RecurrentCall> calls, RecurrentLayer layer, List<Object> inputs, Object out) {
        ExportTracer.RecurrentCall call;
        if (out instanceof RecurrentLayer.Output o) {
            call = new ExportTracer.RecurrentCall(layer, inputs, o.output(), o.hidden(), o.cell());
        } else if (out instanceof Tensor t) {
            call = new ExportTracer.RecurrentCall(layer, inputs, t, null, null);
        } else {
            throw new IllegalArgumentException(
                    "ONNX export: " + layer.getClass().getSimpleName()
                            + " was called with a packed sequence, which ONNX export does not trace; "
                            + "pad the batch instead");
        }
        for (Tensor t : new Tensor[] {call.output(), call.hidden(), call.cell()}) {
            if (t != null) {
                calls.put(t, call);
            }
        }
    }

    private static ValueInfoProto valueInfo(String name, Tensor t, boolean dynamicBatch) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d = 0; d < t.dim(); d++) {
            var dim = TensorShapeProto.Dimension.newBuilder();
            if (d == 0 && dynamicBatch) {
                dim.setDimParam("batch");
            } else {
                dim.setDimValue(t.size(d));
            }
            shape.addDim(dim);
        }
        int type = switch (t.dtype()) {
            case FLOAT32 -> OnnxTensors.FLOAT;
            case FLOAT64 -> OnnxTensors.DOUBLE;
            case INT64 -> OnnxTensors.INT64;
            case BOOL -> OnnxTensors.BOOL;
        };
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(
                                TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)))
                .build();
    }
}
