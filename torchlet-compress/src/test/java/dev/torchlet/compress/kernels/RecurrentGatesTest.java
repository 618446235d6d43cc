package dev.torchlet.compress.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** RecurrentGates (Vector API) against RecurrentGatesReference on odd widths, offsets and large pre-activations. */
class RecurrentGatesTest {
    private static float[] random(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian() * scale;
        }
        return a;
    }

    @Test
    void matchesReference() {
        Random rnd = new Random(7);
        for (int hs : new int[] {1, 3, 7, 8, 15, 16, 17, 33, 64, 100}) {
            for (float scale : new float[] {0.5f, 4f, 40f}) {
                int off = 3;
                float[] xp = random(rnd, off + 4 * hs, scale);
                float[] hp = random(rnd, 5 + 4 * hs, scale);
                float[] c = random(rnd, off + hs, 1f);
                float[] c2 = c.clone();
                float[] h = new float[2 + hs];
                float[] h2 = new float[2 + hs];
                float[] hpCopy = hp.clone();
                RecurrentGates.lstm(hs, xp, off, hpCopy, 5, c, off, h, 2);
                RecurrentGatesReference.lstm(hs, xp, off, hp, 5, c2, off, h2, 2);
                for (int j = 0; j < hs; j++) {
                    assertEquals(c2[off + j], c[off + j], 2e-6 * (1 + Math.abs(c2[off + j])), "lstm c " + hs);
                    assertEquals(h2[2 + j], h[2 + j], 2e-6, "lstm h " + hs);
                }
                assertEquals(0f, h[0]);
                assertEquals(0f, h[1]);
                float[] g = random(rnd, 1 + hs, 1f);
                float[] g2 = g.clone();
                RecurrentGates.gru(hs, xp, off, hp.clone(), 5, g, 1);
                RecurrentGatesReference.gru(hs, xp, off, hp, 5, g2, 1);
                for (int j = 0; j <= hs; j++) {
                    assertEquals(g2[j], g[j], 2e-6 * (1 + Math.abs(g2[j])), "gru h " + hs);
                }
            }
        }
    }
}
