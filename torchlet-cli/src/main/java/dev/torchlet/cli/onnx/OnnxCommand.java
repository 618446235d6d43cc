package dev.torchlet.cli.onnx;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code torchlet onnx}: look into and run ONNX files with Torchlet's importer. */
@Command(
        name = "onnx",
        mixinStandardHelpOptions = true,
        description = "ONNX files through Torchlet's importer (torchlet-onnx): `info` lists inputs, outputs, opset"
                + " and operators; `run` runs the model on .npy inputs. `torchlet export` writes one.",
        subcommands = {OnnxInfoCommand.class, OnnxRunCommand.class})
public final class OnnxCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
