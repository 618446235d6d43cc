package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import org.junit.jupiter.api.Test;

/** Dropout's multiplier is u.ge(p).to(dtype).div(1 - p), bit for bit, on whole vectors, tails and the threshold. */
class DropoutMaskTest {
    @Test
    void maskIsTheKeptIndicatorScaled() {
        Torch.manualSeed(5);
        for (int n : new int[] {1, 15, 16, 35, 5000}) { // a tail alone, one vector, vectors + tail, many tasks
            float[] u = Torch.rand(n).toFloatArray();
            u[0] = 0.3f; // exactly the threshold: kept, as u >= p
            Tensor samples = Torch.tensor(u, n);
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Tensor expected = samples.ge(0.3f).to(dtype).div((float) (1 - 0.3));
                Tensor mask = DropoutMask.scaledKeep(samples, 0.3, dtype);
                assertArrayEquals(expected.toDoubleArray(), mask.toDoubleArray(), 0.0, n + " " + dtype);
            }
        }
    }

    @Test
    void samplesAtAnOffsetAndBadDtypes() {
        Tensor u = Torch.tensor(new float[] {0.9f, 0.1f, 0.5f, 0.7f, 0.2f}, 5);
        Tensor tail = u.slice(0, 1, 5);
        assertArrayEquals(
                new float[] {0f, 2f, 2f, 0f},
                DropoutMask.scaledKeep(tail, 0.5, DType.FLOAT32).toFloatArray());
        assertThrows(
                IllegalArgumentException.class, () -> DropoutMask.scaledKeep(u.to(DType.FLOAT64), 0.5, DType.FLOAT32));
    }
}
