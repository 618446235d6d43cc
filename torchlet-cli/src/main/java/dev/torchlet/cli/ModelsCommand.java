package dev.torchlet.cli;

import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.weights.PretrainedWeights;
import dev.torchlet.vision.weights.WeightRegistry;
import dev.torchlet.vision.weights.WeightSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code torchlet models}: the zoo, with parameter counts and whether pretrained weights are on this machine. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = {
            "Lists the model zoo (torchvision's names) with parameter counts (1000 classes), ImageNet top-1",
            "accuracy of the default weights, and whether a weight file was found locally (TORCH_HOME hub cache",
            "or Torchlet's cache)."
        })
public final class ModelsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        List<Path> dirs = PretrainedWeights.searchDirectories();
        System.out.printf("%-20s %12s %7s  %s%n", "model", "parameters", "top-1", "weights");
        for (String name : Models.names()) {
            List<WeightSpec> specs = WeightRegistry.forModel(name);
            if (specs.isEmpty()) {
                System.out.printf("%-20s %12s %7s  %s%n", name, "", "", "none published");
                continue;
            }
            WeightSpec def = specs.get(0);
            Optional<Path> local = specs.stream()
                    .map(s -> PretrainedWeights.locate(s, dirs))
                    .flatMap(Optional::stream)
                    .findFirst();
            System.out.printf(
                    "%-20s %,12d %6.2f%%  %s%n",
                    name,
                    def.numParams(),
                    def.acc1(),
                    local.map(p -> "found: " + p).orElse("not found (" + def.fileName() + ")"));
        }
        System.out.println("search order: --weights FILE, then " + dirs + "; `--download` fetches, hash-checked");
        return 0;
    }
}
