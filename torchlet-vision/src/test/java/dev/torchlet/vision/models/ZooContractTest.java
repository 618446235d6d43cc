package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.weights.WeightRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Contracts every zoo model keeps: its parameter count with 1000 classes is torchvision's (from the
 * weight registry), a forward hook on every submodule fires, and no module keeps a child in a field
 * (so replaceModule reaches everything).
 */
class ZooContractTest {
    @Test
    void parameterCountsAreTorchvisions() {
        List<String> wrong = new ArrayList<>();
        for (String name : Models.names()) {
            if (WeightRegistry.forModel(name).isEmpty()) {
                continue;
            }
            long expected = WeightRegistry.forModel(name).get(0).numParams();
            long actual = Models.create(name, 1000).parameters().stream()
                    .mapToLong(Tensor::numel)
                    .sum();
            if (actual != expected) {
                wrong.add(name + ": " + actual + " != torchvision's " + expected);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void aHookOnEverySubmoduleFires() {
        for (String name : Models.names()) {
            Module model = Models.create(name, 10);
            model.eval();
            Map<String, Integer> fired = new LinkedHashMap<>();
            model.namedModules().forEach((path, m) -> {
                fired.put(path, 0);
                m.registerForwardHook((mod, in, out) -> {
                    fired.merge(path, 1, Integer::sum);
                    return null;
                });
            });
            int size = name.startsWith("vit") ? 224 : 64;
            try (var g = Torch.noGrad()) {
                model.call(Torch.rand(1, 3, size, size));
            }
            fired.forEach((path, n) -> assertTrue(
                    n > 0 || torchvisionSkipsIt(model, path), name + ": the hook on '" + path + "' did not fire"));
        }
    }

    /**
     * Modules torchvision registers but does not call either: the stochastic depth of an EfficientNet
     * block without a residual connection.
     */
    static boolean torchvisionSkipsIt(Module model, String path) {
        int dot = path.lastIndexOf('.');
        return path.endsWith(".stochastic_depth")
                && model.getSubmodule(path.substring(0, dot)) instanceof EfficientNet.MBConv block
                && !block.usesResidual();
    }

    @Test
    void noZooModuleKeepsAChildInAField() {
        List<String> offenders = new ArrayList<>();
        for (String name : Models.names()) {
            for (Module m : Models.create(name, 10).modules()) {
                for (Class<?> k = m.getClass(); k != Module.class; k = k.getSuperclass()) {
                    for (Field f : k.getDeclaredFields()) {
                        if (!Modifier.isStatic(f.getModifiers()) && Module.class.isAssignableFrom(f.getType())) {
                            offenders.add(name + ": " + k.getSimpleName() + "." + f.getName());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), offenders.stream().distinct().toList());
    }
}
