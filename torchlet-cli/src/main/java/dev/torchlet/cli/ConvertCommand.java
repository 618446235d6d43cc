package dev.torchlet.cli;

import dev.torchlet.Tensor;
import dev.torchlet.io.PyTorchCheckpoint;
import dev.torchlet.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code torchlet convert IN OUT}: a state dict between torch.save's .pth and safetensors. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = {
            "Converts a state dict between PyTorch's torch.save format (.pth/.pt, zip or legacy) and safetensors,",
            "by the file extensions: IN.pth OUT.safetensors, or IN.safetensors OUT.pth. IN.onnx writes the ONNX",
            "model's initializers (its weights, under their ONNX names). Written atomically."
        })
public final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "The state dict to read.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write (.safetensors, .pth or .pt).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(in)) {
            throw new IllegalArgumentException("no such file: " + in);
        }
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("IN and OUT are the same file: " + in);
        }
        Map<String, Tensor> state = isSafetensors(in)
                ? SafeTensors.read(in)
                : in.getFileName().toString().endsWith(".onnx")
                        ? dev.torchlet.onnx.OnnxModel.load(in).stateDict()
                        : PyTorchCheckpoint.read(in);
        String outName = out.getFileName().toString();
        if (isSafetensors(out)) {
            SafeTensors.write(state, out);
        } else if (outName.endsWith(".pth") || outName.endsWith(".pt")) {
            PyTorchCheckpoint.write(state, out);
        } else {
            throw new IllegalArgumentException("OUT must end in .safetensors, .pth or .pt, got " + out);
        }
        long elements = state.values().stream().mapToLong(Tensor::numel).sum();
        System.out.printf(
                "converted %d tensors (%,d values, %.1f MB): %s -> %s%n",
                state.size(), elements, Files.size(out) / 1e6, in, out);
        return 0;
    }

    private static boolean isSafetensors(Path p) {
        return p.getFileName().toString().endsWith(".safetensors");
    }
}
