package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AutogradSmokeTest {
    @Test
    void diamondGraphAccumulatesBothPaths() {
        Tensor x = Torch.tensor(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.mul(x).add(x.mul(2f)).sum(); // d/dx = 2x + 2
        y.backward();
        assertArrayEquals(new float[] {4, 6, 8}, x.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void broadcastGradientIsSummedBack() {
        Tensor a = Torch.ones(2, 3).requiresGrad(true);
        Tensor b = Torch.tensor(new float[] {1, 2, 3}, 3).requiresGrad(true);
        a.mul(b).sum().backward();
        assertArrayEquals(new float[] {2, 2, 2}, b.grad().toFloatArray(), 0f);
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, a.grad().toFloatArray(), 0f);
    }

    @Test
    void matmulTransposedView() {
        Tensor a = Torch.tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor c = a.matmul(a.t());
        assertArrayEquals(new float[] {14, 32, 32, 77}, c.toFloatArray(), 1e-5f);
    }

    @Test
    void secondBackwardThroughFreedGraphFails() {
        Tensor x = Torch.tensor(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.mul(x).sum();
        y.backward();
        assertThrows(IllegalStateException.class, y::backward);
    }
}
