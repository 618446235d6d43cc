package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.nn.Embedding;
import org.junit.jupiter.api.Test;

/** Tensor.copyFrom writes through views, broadcasts and converts; Init and Embedding's padding row rely on it. */
class CopyFromTest {
    @Test
    void writesThroughAViewIntoTheSharedStorage() {
        Tensor t = Torch.zeros(3, 4);
        Tensor row = t.select(0, 1);
        assertSame(row, row.copyFrom(Torch.tensor(new double[] {1, 2, 3, 4}, 4))); // float64 into float32
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0}, t.toFloatArray());
        t.t().copyFrom(Torch.tensor(new float[] {7, 8, 9}, 3)); // broadcast into a transposed (strided) view
        assertArrayEquals(new float[] {7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9}, t.toFloatArray());
    }

    @Test
    void recordsNoGraphAndRejectsBadShapes() {
        Tensor p = Torch.zeros(2, 2).requiresGrad(true);
        p.copyFrom(Torch.ones(2, 2));
        assertTrue(p.isLeaf());
        assertArrayEquals(new float[] {1, 1, 1, 1}, p.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> p.copyFrom(Torch.ones(3)));
    }

    @Test
    void embeddingPaddingRowStartsAtZero() {
        Torch.manualSeed(0);
        Embedding e = new Embedding(5, 3, 2);
        float[] w = e.weight().toFloatArray();
        for (int r = 0; r < 5; r++) {
            boolean zero = w[r * 3] == 0 && w[r * 3 + 1] == 0 && w[r * 3 + 2] == 0;
            assertTrue(zero == (r == 2), "row " + r + (zero ? " is zero" : " is not zero"));
        }
    }
}
