package dev.torchlet.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScratchBuffersTest {
    @AfterEach
    void emptyThePool() {
        ScratchBuffers.clear();
    }

    @Test
    void takesTheSmallestArrayThatFits() {
        ScratchBuffers.clear();
        float[] small = new float[100];
        float[] large = new float[1000];
        ScratchBuffers.give(large);
        ScratchBuffers.give(small);
        assertSame(small, ScratchBuffers.take(50));
        assertSame(large, ScratchBuffers.take(50));
        assertEquals(2000, ScratchBuffers.take(2000).length); // nothing kept fits: a new array
    }

    @Test
    void aFullPoolKeepsTheLargestArrays() {
        ScratchBuffers.clear();
        for (int i = 0; i < ScratchBuffers.MAX_BUFFERS; i++) {
            ScratchBuffers.give(new float[10 + i]);
        }
        float[] large = new float[100_000];
        ScratchBuffers.give(large); // replaces the 10-float array instead of being dropped
        assertSame(large, ScratchBuffers.take(50_000));
        float[] tiny = new float[5];
        ScratchBuffers.give(large);
        ScratchBuffers.give(tiny); // full again: smaller than everything kept, so dropped
        for (int i = 0; i < ScratchBuffers.MAX_BUFFERS - 1; i++) {
            assertEquals(11 + i, ScratchBuffers.take(1).length);
        }
        assertSame(large, ScratchBuffers.take(1));
    }
}
