package dev.torchlet.cli.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.onnx.OnnxExport;
import dev.torchlet.onnx.OnnxModel;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code torchlet export --model resnet18 --out resnet18.onnx}: a zoo model or a {@code torchlet train} checkpoint
 * traced to an ONNX file ({@link OnnxExport}), then imported again and run on the same input as a check.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Exports a zoo model or a `torchlet train` checkpoint to an ONNX file (opset " + OnnxExport.OPSET + ").",
            "Traces one forward pass on a random input and writes the file atomically, then imports it again and",
            "runs it on the same input: the summary gives its size, opset, parameters, operators and the largest",
            "difference from the Torchlet model (above 1e-4 of the output's scale, the command fails)."
        })
public final class ExportCommand implements Callable<Integer> {
    /** Largest accepted |ONNX - Torchlet| relative to max(1, max |Torchlet output|), as OnnxExportTest checks. */
    static final double TOLERANCE = 1e-4;

    @Option(names = "--model", paramLabel = "NAME", description = "Zoo model, e.g. resnet18 (see `torchlet models`).")
    String model;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description = "A `torchlet train` checkpoint (.safetensors) instead of --model.")
    Path checkpoint;

    @Option(names = "--num-classes", paramLabel = "N", description = "Classes of the zoo model's head (default: 1000).")
    Integer numClasses;

    @Option(
            names = "--weights",
            paramLabel = "FILE|pretrained",
            description = "Zoo weights: a .pth or .safetensors state dict, or `pretrained` for torchvision's DEFAULT"
                    + " weights (TORCH_HOME hub cache or Torchlet's cache). Default: random initialization.")
    String weights;

    @Option(names = "--download", description = "With --weights pretrained: download them if no local copy is found.")
    boolean download;

    @Option(names = "--out", required = true, paramLabel = "FILE.onnx", description = "The ONNX file to write.")
    Path out;

    @Option(
            names = "--input-shape",
            paramLabel = "N,C,H,W",
            description = "Shape of the example input, batch first (default: 1,3,224,224 for the zoo,"
                    + " 1,1,28,28 for a checkpoint).")
    String inputShape;

    @Option(names = "--static-batch", description = "Fix the batch size to the example's (default: dynamic).")
    boolean staticBatch;

    @Override
    public Integer call() throws Exception {
        checkOut();
        int[] given = inputShape != null ? parseShape(inputShape) : null; // before loading any weights
        ExportSource source = load();
        int[] shape = given != null ? given : source.defaultInput();
        Module net = source.model();
        System.out.println("exporting " + source.description());
        Tensor example = Torch.randn(shape);
        Tensor expected = reference(net, example);

        long t0 = System.nanoTime();
        save(net, example);
        double seconds = (System.nanoTime() - t0) * 1e-9;
        OnnxModel imported = reimport();
        Tensor actual;
        try (var g = Torch.noGrad()) {
            actual = imported.eval().call(example);
        }
        double diff = maxAbsDiff(expected, actual);
        double scale = maxAbs(expected);
        double limit = TOLERANCE * Math.max(1, scale);
        printSummary(imported, shape, actual, seconds, diff);
        if (scale == 0) {
            System.out.println("note: the Torchlet output is all zeros (a zero-initialized head, as torchvision's ViT"
                    + " starts), so the check compares little; export trained weights to compare real values");
        }
        if (!(diff <= limit)) { // also NaN
            throw new IllegalStateException(String.format(
                    "check failed: max |diff| %.3g exceeds %.3g (1e-4 of the output's scale); %s is kept for"
                            + " inspection",
                    diff, limit, out));
        }
        return 0;
    }

    private void checkOut() {
        if (!out.getFileName().toString().endsWith(".onnx")) {
            throw new IllegalArgumentException("--out must end in .onnx, got " + out);
        }
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder; give a file name ending in .onnx");
        }
    }

    private ExportSource load() throws IOException {
        if ((model == null) == (checkpoint == null)) {
            throw new IllegalArgumentException(
                    "give either --model NAME (a zoo model) or --checkpoint FILE (a `torchlet train` checkpoint)");
        }
        if (checkpoint != null) {
            if (weights != null || numClasses != null || download) {
                throw new IllegalArgumentException(
                        "--weights, --num-classes and --download go with --model, not with --checkpoint");
            }
            return ExportSource.checkpoint(checkpoint);
        }
        if (download && !ExportSource.PRETRAINED.equals(weights)) {
            throw new IllegalArgumentException("--download goes with --weights " + ExportSource.PRETRAINED);
        }
        return ExportSource.zoo(model, numClasses != null ? numClasses : 1000, weights, download);
    }

    /** "1,3,224,224" -> {1, 3, 224, 224}; every size at least 1. */
    static int[] parseShape(String text) {
        String[] parts = text.split(",", -1);
        int[] shape = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                shape[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                shape[i] = 0;
            }
            if (shape[i] < 1) {
                throw new IllegalArgumentException(
                        "--input-shape must be positive sizes separated by commas, batch first (e.g. 1,3,224,224),"
                                + " got '" + text + "'");
            }
        }
        return shape;
    }

    /** The Torchlet model's output on the example; a shape the model cannot take is the user's error. */
    private static Tensor reference(Module net, Tensor example) {
        try (var g = Torch.noGrad()) {
            return net.call(example);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "the model does not run on --input-shape " + Arrays.toString(example.shape()) + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private void save(Module net, Tensor example) throws IOException {
        try {
            OnnxExport.save(net, example, out, !staticBatch);
        } catch (FileSystemException e) {
            Path file = e.getFile() != null ? Path.of(e.getFile()) : out;
            boolean temporary = file.getFileName() != null
                    && file.getFileName().toString().startsWith("." + out.getFileName() + ".");
            String where = file.equals(out) || temporary ? "" : " (" + file + ")";
            throw new IOException("cannot write " + out + ": " + reason(e) + where, e);
        }
    }

    private static String reason(FileSystemException e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied";
            case FileAlreadyExistsException f -> "not a folder";
            case NoSuchFileException n -> "cannot create a file there";
            default -> e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        };
    }

    /** The written file through the importer; a file that does not import is removed. */
    private OnnxModel reimport() throws IOException {
        try {
            return OnnxModel.load(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(out);
            throw new IllegalStateException(
                    "the exported file does not import again (" + e.getMessage() + "); " + out + " removed", e);
        }
    }

    private void printSummary(OnnxModel imported, int[] shape, Tensor output, double seconds, double diff)
            throws IOException {
        long params = imported.namedParameters().values().stream()
                .mapToLong(Tensor::numel)
                .sum();
        long buffers = imported.namedBuffers().values().stream()
                .mapToLong(Tensor::numel)
                .sum();
        int[] outShape = output.shape();
        int[] inShape = shape.clone();
        if (!staticBatch) {
            inShape[0] = -1;
            outShape[0] = -1;
        }
        System.out.printf(
                "wrote %s in %.1f s: %.1f MB, opset %d, batch %s%n",
                out,
                seconds,
                Files.size(out) / 1e6,
                imported.opset(),
                staticBatch ? "fixed at " + shape[0] : "dynamic (-1)");
        System.out.printf("  input  %s %s%n", imported.inputNames().get(0), Arrays.toString(inShape));
        System.out.printf("  output %s %s%n", imported.outputNames().get(0), Arrays.toString(outShape));
        System.out.printf(
                "  parameters %,d values in %d tensors; buffers %,d values%n",
                params, imported.namedParameters().size(), buffers);
        System.out.println("  " + OnnxInfoCommand.operators(imported));
        System.out.printf(
                "check: max |diff| vs Torchlet = %.3g (re-imported with OnnxModel, same input %s)%n",
                diff, Arrays.toString(shape));
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalStateException("check failed: the ONNX model's output has shape "
                    + Arrays.toString(b.shape()) + ", the Torchlet model's " + Arrays.toString(a.shape()));
        }
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs((double) x[i] - y[i]);
            max = Double.isNaN(d) ? Double.NaN : Math.max(max, d);
            if (Double.isNaN(max)) {
                return max;
            }
        }
        return max;
    }

    private static double maxAbs(Tensor t) {
        double max = 0;
        for (float v : t.toFloatArray()) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
