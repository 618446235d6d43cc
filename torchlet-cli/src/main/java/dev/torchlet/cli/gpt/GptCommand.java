package dev.torchlet.cli.gpt;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code torchlet gpt train|sample}: trains a small GPT-2 on text and samples from it (or from a Hub folder). */
@Command(
        name = "gpt",
        mixinStandardHelpOptions = true,
        description = {
            "Trains a small GPT-2 language model on text (default: the shipped King James Bible) and samples from it.",
            "Example: torchlet gpt train && torchlet gpt sample --checkpoint runs/gpt --prompt 'And God said'"
        },
        subcommands = {GptTrainCommand.class, GptSampleCommand.class})
public final class GptCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
