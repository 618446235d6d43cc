package dev.torchlet.vision.generative.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearProbeTest {
    /** Three Gaussian blobs in 5-d, on a large common scale and offset (the probe standardizes). */
    private static Tensor[] blobs(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 5];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 5; j++) {
                x[i * 5 + j] = (float) (1000 + 100 * ((j == y[i] ? 3 : 0) + r.nextGaussian()));
            }
        }
        return new Tensor[] {Torch.tensor(x, n, 5), Torch.tensor(y, n)};
    }

    @Test
    void separatesLinearlySeparableClassesAndIsDeterministic() {
        Tensor[] train = blobs(300, 1);
        Tensor[] test = blobs(150, 2);
        var o = LinearProbe.Options.defaults().withEpochs(5).withBatchSize(32);
        LinearProbe.Result r = LinearProbe.fit(train[0], train[1], test[0], test[1], 3, o);
        assertTrue(r.testAccuracy() > 0.9, "test accuracy " + r.testAccuracy());
        assertTrue(r.trainAccuracy() > 0.9, "train accuracy " + r.trainAccuracy());
        assertEquals(5, r.codeDim());
        assertEquals(150, r.testSize());
        LinearProbe.Result again = LinearProbe.fit(train[0], train[1], test[0], test[1], 3, o);
        assertArrayEquals(
                new double[] {r.trainAccuracy(), r.testAccuracy()},
                new double[] {again.trainAccuracy(), again.testAccuracy()});
    }

    @Test
    void rejectsBadInput() {
        Tensor[] train = blobs(10, 1);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> LinearProbe.fit(
                        train[0],
                        train[1],
                        Torch.zeros(4, 6),
                        Torch.tensor(new long[4], 4),
                        3,
                        LinearProbe.Options.defaults()));
        assertEquals("LinearProbe: train codes have 5 features, test codes 6", e.getMessage());
        var labels = assertThrows(
                IllegalArgumentException.class,
                () -> LinearProbe.fit(train[0], train[1], train[0], train[1], 2, LinearProbe.Options.defaults()));
        assertEquals("LinearProbe: label 2 is outside [0, 2)", labels.getMessage());
    }
}
