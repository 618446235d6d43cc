package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import org.junit.jupiter.api.Test;

/** Headless models and new heads for every zoo model (timm's reset_classifier). */
class ClassifiersTest {
    @Test
    void headlessModelsReturnPooledFeaturesAndNewHeadsHaveTheRightWidth() {
        for (String name : Models.names()) {
            int size = name.startsWith("vit") ? 224 : 64;
            Module withHead = Models.create(name, 10);
            int width = Classifiers.inputWidth(withHead.getSubmodule(Classifiers.headPath(name)), name);
            Module headless = Models.create(name, 0).eval();
            try (var g = Torch.noGrad()) {
                Tensor features = headless.call(Torch.rand(1, 3, size, size));
                assertArrayEquals(new int[] {1, width}, features.shape(), name);
                Classifiers.reset(withHead, name, 3).eval();
                assertArrayEquals(
                        new int[] {1, 3},
                        withHead.call(Torch.rand(1, 3, size, size)).shape(),
                        name);
            }
        }
    }

    @Test
    void unknownFamiliesAndNegativeCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Classifiers.headPath("lenet"));
        assertEquals("fc", Classifiers.headPath("resnet50"));
        assertEquals("heads.head", Classifiers.headPath("vit_b_16"));
        assertThrows(IllegalArgumentException.class, () -> Models.create("nope", 0));
    }
}
