package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * The fused dropout (mask drawn inside the kernel, drawn again in the backward) gives bit for bit the values and
 * gradients of its unfused form {@code x.mul(DropoutMask.scaledKeep(Torch.rand(shape), p, dtype))}, advances the
 * generator alike, and passes a float64 gradcheck (re-seeded so every evaluation draws the same mask).
 */
class FusedDropoutTest {
    @Test
    void fusedEqualsUnfusedValuesAndGradientsOnOneAndTwoThreads() {
        int threads = Torch.getNumThreads();
        try {
            for (int t : new int[] {1, 2}) {
                Torch.setNumThreads(t);
                // vector body and tail, one chunk and several (the kernel's grain is 65536), both dtypes
                for (int[] shape : new int[][] {{3}, {5, 7}, {9, 17}, {300, 437}}) {
                    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                        for (double p : new double[] {0.1, 0.5, 0.9}) {
                            compare(shape, dt, p, t + " threads, " + dt + " p=" + p + " " + shape.length);
                        }
                    }
                }
            }
        } finally {
            Torch.setNumThreads(threads);
        }
    }

    private static void compare(int[] shape, DType dt, double p, String what) {
        Torch.manualSeed(11);
        Tensor x = Torch.randn(shape).to(dt).requiresGrad(true);
        Tensor dy = Torch.randn(shape).to(dt);
        Torch.manualSeed(5);
        Tensor fused = F.dropout(x, p, true);
        float after = Torch.defaultGenerator().nextFloat();
        fused.backward(dy);
        Tensor fusedGrad = x.grad();
        x.setGrad(null);
        Torch.manualSeed(5);
        Tensor unfused = x.mul(DropoutMask.scaledKeep(Torch.rand(shape), p, dt));
        assertEquals(Torch.defaultGenerator().nextFloat(), after, 0f, what + ": generator state after the draws");
        unfused.backward(dy);
        assertArrayEquals(unfused.toDoubleArray(), fused.toDoubleArray(), 0.0, what + ": values");
        assertArrayEquals(x.grad().toDoubleArray(), fusedGrad.toDoubleArray(), 0.0, what + ": gradients");
    }

    @Test
    void stridedInputUsesRowMajorDraws() {
        Torch.manualSeed(3);
        Tensor x = Torch.randn(40, 30).transpose(0, 1); // (30, 40), not contiguous
        Torch.manualSeed(4);
        Tensor fused = F.dropout(x, 0.3, true);
        Torch.manualSeed(4);
        Tensor unfused = x.mul(DropoutMask.scaledKeep(Torch.rand(30, 40), 0.3, DType.FLOAT32));
        assertArrayEquals(unfused.toFloatArray(), fused.toFloatArray(), 0f);
        int zeros = 0;
        for (float v : fused.toFloatArray()) {
            zeros += v == 0f ? 1 : 0;
        }
        assertTrue(zeros > 1200 * 0.2 && zeros < 1200 * 0.4, "about 30% dropped, got " + zeros + " of 1200");
    }

    @Test
    void gradcheckAndSecondDerivative() {
        Torch.manualSeed(1);
        Tensor x = Torch.randn(4, 19).to(DType.FLOAT64).requiresGrad(true);
        GradCheck.check(
                "dropout",
                xs -> {
                    Torch.manualSeed(8); // the same mask on every evaluation
                    return F.dropout(xs[0], 0.4, true);
                },
                x);
        // the backward draws the same window again and leaves the generator alone: two backward passes through
        // one retained graph add the same gradient twice, and the next draw is the one after the forward's
        Torch.manualSeed(8);
        Tensor y = F.dropout(x, 0.4, true);
        float next = Torch.defaultGenerator().nextFloat();
        Torch.manualSeed(8);
        Tensor mask = DropoutMask.scaledKeep(Torch.rand(4, 19), 0.4, DType.FLOAT64);
        x.setGrad(null);
        Tensor ones = Torch.onesLike(y);
        y.backward(ones, true);
        y.backward(ones, false);
        assertArrayEquals(mask.mul(2.0f).toDoubleArray(), x.grad().toDoubleArray(), 0.0);
        Torch.manualSeed(8);
        Torch.rand(4, 19);
        assertEquals(Torch.defaultGenerator().nextFloat(), next, 0f);
    }

    @Test
    void rejectsIntegerInput() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> F.dropout(Torch.arange(6), 0.5, true));
        assertTrue(e.getMessage().contains("dropout") && e.getMessage().contains("int64"), e.getMessage());
    }
}
