package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
 * Contracts every zoo model keeps, each model built once (building the big ones dominates):
 * its parameter count with 1000 classes is torchvision's (from the weight registry); a forward hook
 * on every submodule fires; no module keeps a child in a field (so replaceModule reaches
 * everything); the head can be reset to k classes, or removed so the model returns pooled features
 * of the head's input width (timm's reset_classifier).
 */
class ZooContractTest {
    @Test
    void everyZooModelKeepsTheContracts() {
        List<String> failures = new ArrayList<>();
        for (String name : Models.names()) {
            Module model = Models.create(name, 1000);
            long params = model.parameters().stream().mapToLong(Tensor::numel).sum();
            if (!WeightRegistry.forModel(name).isEmpty()) {
                long expected = WeightRegistry.forModel(name).get(0).numParams();
                if (params != expected) {
                    failures.add(name + ": " + params + " parameters, torchvision has " + expected);
                }
            }
            for (Module m : model.modules()) {
                for (Class<?> k = m.getClass(); k != Module.class; k = k.getSuperclass()) {
                    for (Field f : k.getDeclaredFields()) {
                        if (!Modifier.isStatic(f.getModifiers()) && Module.class.isAssignableFrom(f.getType())) {
                            failures.add(name + ": child kept in field " + k.getSimpleName() + "." + f.getName());
                        }
                    }
                }
            }
            model.eval();
            Map<String, Integer> fired = new LinkedHashMap<>();
            model.namedModules().forEach((path, m) -> {
                fired.put(path, 0);
                m.registerForwardHook((mod, in, out) -> {
                    fired.merge(path, 1, Integer::sum);
                    return null;
                });
            });
            Tensor x = Torch.rand(1, 3, inputSize(name), inputSize(name));
            try (var g = Torch.noGrad()) {
                model.call(x);
                fired.forEach((path, n) -> {
                    if (n == 0 && !torchvisionSkipsIt(model, path)) {
                        failures.add(name + ": the hook on '" + path + "' did not fire");
                    }
                });
                int width = Classifiers.inputWidth(model.getSubmodule(Classifiers.headPath(name)), name);
                assertArrayEquals(
                        new int[] {1, 3},
                        Classifiers.reset(model, name, 3).call(x).shape(),
                        name);
                assertArrayEquals(
                        new int[] {1, width},
                        Classifiers.reset(model, name, 0).call(x).shape(),
                        name);
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void headlessCreationAndUnknownFamilies() {
        Module headless = Models.create("mobilenet_v3_small", 0).eval();
        try (var g = Torch.noGrad()) {
            assertArrayEquals(
                    new int[] {2, 1024}, headless.call(Torch.rand(2, 3, 64, 64)).shape());
        }
        assertThrows(IllegalArgumentException.class, () -> Classifiers.headPath("lenet"));
        assertEquals("fc", Classifiers.headPath("resnet50"));
        assertEquals("heads.head", Classifiers.headPath("vit_b_16"));
        assertThrows(IllegalArgumentException.class, () -> Models.create("nope", 0));
        assertThrows(IllegalArgumentException.class, () -> Models.create("resnet18", -1));
    }

    static int inputSize(String name) {
        return name.startsWith("vit") ? 224 : 64;
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
}
