package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import org.junit.jupiter.api.Test;

/**
 * {@link DistillationLoss} against PyTorch's formula (tools/golden/gen_distill.py): loss and the
 * gradient with respect to the student logits within atol 1e-5 / rtol 1e-4 (float32 softmax/log).
 */
class DistillationLossTest {
    @Test
    void matchesPyTorch() {
        double[][] cases = {{1.0, 0.5}, {4.0, 0.9}, {2.5, 0.0}, {3.0, 1.0}};
        for (double[] c : cases) {
            String name = c[0] + "_" + c[1];
            Tensor s =
                    Golden.get("distill", name + ".s").detach().contiguousCopy().requiresGrad(true);
            Tensor t = Golden.get("distill", name + ".t").requiresGrad(true);
            Tensor loss = new DistillationLoss(c[0], c[1]).call(s, t, Golden.get("distill", name + ".y"));
            assertClose(Golden.get("distill", name + ".loss"), loss, 1e-5, 1e-4, name + " loss");
            loss.backward();
            assertClose(Golden.get("distill", name + ".grad"), s.grad(), 1e-5, 1e-4, name + " grad");
            assertNull(t.grad(), "no gradient reaches the teacher");
        }
    }

    @Test
    void rejectsBadSettingsAndShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(0, 0.5));
        assertEquals("DistillationLoss: temperature must be > 0, got 0.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(2, 1.5));
        var e2 = assertThrows(
                IllegalArgumentException.class,
                () -> new DistillationLoss()
                        .call(Torch.randn(2, 3), Torch.randn(2, 4), Torch.tensor(new long[] {0, 1}, 2)));
        assertEquals(
                "DistillationLoss: expected student and teacher logits of the same shape (B, classes), got [2, 3] and "
                        + "[2, 4]",
                e2.getMessage());
    }
}
