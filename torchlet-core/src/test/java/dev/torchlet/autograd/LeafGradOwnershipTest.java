package dev.torchlet.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import org.junit.jupiter.api.Test;

/**
 * The engine hands a fresh gradient to a leaf without copying it; these check that no two leaves,
 * and no leaf and the caller's root gradient, ever end up sharing storage.
 */
class LeafGradOwnershipTest {
    @Test
    void sameGradientToTwoLeavesIsNotShared() {
        Tensor a = Torch.tensor(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor b = Torch.tensor(new float[] {4, 5, 6}, 3).requiresGrad(true);
        a.add(b).mul(2f).sum().backward(); // AddBackward0 returns {g, g}
        assertNotSame(TensorInternals.storage(a.grad()), TensorInternals.storage(b.grad()));
        TensorInternals.storage(a.grad()).floats()[0] = 100f;
        assertArrayEquals(new float[] {2, 2, 2}, b.grad().toFloatArray());
    }

    @Test
    void rootGradientIsNotTakenOver() {
        Tensor x = Torch.tensor(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor gRoot = Torch.tensor(new float[] {3, 4}, 2);
        x.add(1f).backward(gRoot); // AddBackward1 passes gRoot straight through
        assertNotSame(TensorInternals.storage(gRoot), TensorInternals.storage(x.grad()));
        TensorInternals.storage(gRoot).floats()[0] = -1f;
        assertArrayEquals(new float[] {3, 4}, x.grad().toFloatArray());
        Tensor y = Torch.tensor(new float[] {1, 2}, 2).requiresGrad(true);
        y.backward(gRoot); // the root is the leaf itself
        assertNotSame(TensorInternals.storage(gRoot), TensorInternals.storage(y.grad()));
    }

    @Test
    void viewsOfOneGradientToTwoLeavesAreNotShared() {
        Tensor a = Torch.randn(2, 3).requiresGrad(true);
        Tensor b = Torch.randn(6).requiresGrad(true);
        Tensor s = a.reshape(6).add(b); // {g, g}: a gets a reshape view of g, b gets g itself
        s.mul(3f).sum().backward();
        assertNotSame(TensorInternals.storage(a.grad()), TensorInternals.storage(b.grad()));
        TensorInternals.storage(b.grad()).floats()[0] = 7f;
        assertArrayEquals(new float[] {3, 3, 3, 3, 3, 3}, a.grad().toFloatArray());
    }

    @Test
    void accumulationStillAdds() {
        Tensor w = Torch.tensor(new float[] {1, 1}, 2).requiresGrad(true);
        w.mul(2f).sum().backward();
        w.mul(3f).sum().backward();
        assertArrayEquals(new float[] {5, 5}, w.grad().toFloatArray());
    }
}
