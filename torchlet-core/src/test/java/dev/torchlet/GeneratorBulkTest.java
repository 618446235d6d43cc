package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Torch.rand's bulk fill draws exactly the values (and advances the stream exactly as) per-element draws do. */
class GeneratorBulkTest {
    @Test
    void bulkFillEqualsElementDraws() {
        Torch.manualSeed(42);
        float[] bulk = Torch.rand(3, 7).toFloatArray();
        float next = Torch.defaultGenerator().nextFloat();
        Torch.manualSeed(42);
        float[] one = new float[21];
        for (int i = 0; i < one.length; i++) {
            one[i] = Torch.defaultGenerator().nextFloat();
        }
        assertArrayEquals(one, bulk, 0f);
        assertArrayEquals(new float[] {Torch.defaultGenerator().nextFloat()}, new float[] {next}, 0f);
    }

    @Test
    void bulkDoublesAndGaussiansEqualElementDraws() {
        Generator bulk = new Generator(7);
        Generator one = new Generator(7);
        double[] u = new double[37];
        double[] z = new double[41];
        bulk.nextDoubles(u);
        bulk.nextGaussians(z);
        for (double v : u) {
            assertEquals(one.nextDouble(), v, 0.0);
        }
        for (double v : z) {
            assertEquals(one.nextGaussian(), v, 0.0);
        }
        assertEquals(one.nextDouble(), bulk.nextDouble(), 0.0); // the streams advanced alike
    }
}
