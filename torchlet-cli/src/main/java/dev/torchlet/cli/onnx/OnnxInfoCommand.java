package dev.torchlet.cli.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code torchlet onnx info MODEL}: what an ONNX file holds, once imported. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Imports an ONNX file and prints its producer, opset, inputs and outputs (dynamic dimensions"
                + " as -1), initializers (parameters and buffers) and operators with their node counts.")
public final class OnnxInfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        OnnxModel model = OnnxModel.load(file);
        long params = model.namedParameters().values().stream()
                .mapToLong(Tensor::numel)
                .sum();
        long buffers =
                model.namedBuffers().values().stream().mapToLong(Tensor::numel).sum();
        System.out.printf(
                "%s: produced by %s, opset %d%n",
                file, model.producer().isEmpty() ? "?" : model.producer(), model.opset());
        for (Map.Entry<String, int[]> in : model.inputShapes().entrySet()) {
            System.out.printf(
                    "  input  %s %s%n",
                    in.getKey(), in.getValue() == null ? "(shape not given)" : Arrays.toString(in.getValue()));
        }
        for (String out : model.outputNames()) {
            System.out.printf("  output %s%n", out);
        }
        System.out.printf(
                "  parameters %,d values in %d tensors; buffers %,d values%n",
                params, model.namedParameters().size(), buffers);
        System.out.println("  " + operators(model));
        return 0;
    }

    /** "operators (N nodes): Add x8, Conv x20, ..." (shared with {@code torchlet export}). */
    static String operators(OnnxModel model) {
        return String.format(
                "operators (%d nodes): %s",
                model.operatorCounts().values().stream()
                        .mapToInt(Integer::intValue)
                        .sum(),
                model.operatorCounts().entrySet().stream()
                        .map(e -> e.getKey() + " x" + e.getValue())
                        .collect(Collectors.joining(", ")));
    }
}
