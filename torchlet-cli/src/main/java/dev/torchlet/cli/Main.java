package dev.torchlet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code torchlet} command. Subcommands arrive with their issues (bench, train, eval, ...). */
@Command(name = "torchlet",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Torchlet: a PyTorch-style deep learning framework in pure Java.",
        subcommands = {CommandLine.HelpCommand.class, BenchCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (separate from main for tests). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
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
                "cores: " + Runtime.getRuntime().availableProcessors()
                        + ", SIMD: " + dev.torchlet.kernels.Simd.describe()
            };
        }
    }
}
