package dev.torchlet.cli.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The `train` models are library modules too: hooks on every submodule fire, heads can be replaced. */
class TrainModelsTest {
    @Test
    void aHookOnEverySubmoduleFires() {
        for (String name : TrainModels.NAMES) {
            Module model = TrainModels.create(name, 10);
            Map<String, Integer> fired = new LinkedHashMap<>();
            model.namedModules().forEach((path, m) -> {
                fired.put(path, 0);
                m.registerForwardHook((mod, in, out) -> {
                    fired.merge(path, 1, Integer::sum);
                    return null;
                });
            });
            model.call(Torch.rand(2, 1, 28, 28));
            fired.forEach((path, n) -> assertTrue(n > 0, name + ": hook on '" + path + "' did not fire"));
        }
    }

    @Test
    void theHeadOfTheResidualModelCanBeReplaced() {
        Module model = TrainModels.create("resnet-small", 10);
        model.replaceModule("net.8", new Linear(128, 3));
        Tensor out = model.call(Torch.rand(2, 1, 28, 28));
        assertArrayEquals(new int[] {2, 3}, out.shape());
    }
}
