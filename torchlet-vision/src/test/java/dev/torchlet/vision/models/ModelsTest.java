package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelsTest {
    @Test
    void unknownNamesListTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Models.create("resnet9000", 10));
        assertTrue(e.getMessage().contains("unknown model 'resnet9000'; known: "), e.getMessage());
        for (String name : Models.names()) {
            assertTrue(e.getMessage().contains(name), name);
        }
    }
}
