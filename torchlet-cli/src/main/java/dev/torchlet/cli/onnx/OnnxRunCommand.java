package dev.torchlet.cli.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.Npy;
import dev.torchlet.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code torchlet onnx run MODEL --input name=file.npy}: one inference through the imported graph. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Runs an ONNX model on inputs read from .npy files and prints each output's shape and first"
                + " values; --out-dir writes every output as <name>.npy.")
public final class OnnxRunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path file;

    @Option(names = "--input", required = true, description = "NAME=FILE.npy, once per graph input.")
    List<String> inputs;

    @Option(names = "--out-dir", description = "Folder for the outputs as .npy files.")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        OnnxModel model = OnnxModel.load(file);
        model.eval();
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (String spec : inputs) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--input must be NAME=FILE.npy, got '" + spec + "'; inputs: " + model.inputNames());
            }
            feeds.put(spec.substring(0, eq), Npy.read(Path.of(spec.substring(eq + 1))));
        }
        long t0 = System.nanoTime();
        Map<String, Tensor> outputs;
        try (var g = Torch.noGrad()) {
            outputs = model.run(feeds);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        for (var e : outputs.entrySet()) {
            float[] v = e.getValue().to(dev.torchlet.DType.FLOAT32).toFloatArray();
            System.out.printf(
                    "%s %s: %s%s%n",
                    e.getKey(),
                    Arrays.toString(e.getValue().shape()),
                    Arrays.toString(Arrays.copyOf(v, Math.min(8, v.length))),
                    v.length > 8 ? " ..." : "");
            if (outDir != null) {
                java.nio.file.Files.createDirectories(outDir);
                Npy.write(e.getValue(), outDir.resolve(e.getKey().replaceAll("[^A-Za-z0-9_.-]", "_") + ".npy"));
            }
        }
        System.out.printf("ran in %.1f ms (first run, includes warm-up)%n", ms);
        return 0;
    }
}
