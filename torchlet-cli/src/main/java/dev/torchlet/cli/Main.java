package dev.torchlet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code torchlet} command. Errors from bad input end with a one-line message and exit code
 * 1 (2 for usage errors); {@code --verbose} adds the stack trace.
 */
@Command(
        name = "torchlet",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Torchlet: a PyTorch-style deep learning framework in pure Java.",
        subcommands = {
            CommandLine.HelpCommand.class,
            TrainCommand.class,
            EvalCommand.class,
            PredictCommand.class,
            BenchCommand.class,
            ModelsCommand.class,
            ClassifyCommand.class,
            ExtractCommand.class,
            ExplainCommand.class,
            dev.torchlet.cli.finetune.FinetuneCommand.class,
            dev.torchlet.cli.transfer.TransferCommand.class,
            dev.torchlet.cli.text.TextClassifyCommand.class,
            dev.torchlet.cli.generate.GenerateCommand.class,
            dev.torchlet.cli.compress.CompressCommand.class,
            ConvertCommand.class,
            dev.torchlet.cli.gpt.GptCommand.class,
            EmbedCommand.class,
            dev.torchlet.cli.serve.ServeCommand.class,
            dev.torchlet.cli.serve.ServeLoadCommand.class,
            dev.torchlet.cli.spark.SparkCommand.class,
            dev.torchlet.cli.onnx.OnnxCommand.class,
            dev.torchlet.cli.onnx.ExportCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    static boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (separate from main for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (verbose) {
                e.printStackTrace();
            }
            String message =
                    e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            commandLine
                    .getErr()
                    .println(commandLine.getCommandSpec().qualifiedName() + ": "
                            + message.lines().findFirst().orElse(message));
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Version from the jar manifest, with the JVM and SIMD width it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "torchlet " + (v == null ? "dev" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
                "cores: " + Runtime.getRuntime().availableProcessors() + ", SIMD: "
                        + dev.torchlet.kernels.Simd.describe()
            };
        }
    }
}
