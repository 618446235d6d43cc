package dev.torchlet.compress.quantization;

import static dev.torchlet.compress.quantization.QuantGolden.g;
import static dev.torchlet.compress.quantization.QuantGolden.qparams;
import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import org.junit.jupiter.api.Test;

/** fake_quantize_per_tensor/per_channel_affine: forward bit for bit, and the straight-through gradient. */
class FakeQuantizeTest {
    @Test
    void perTensorForwardAndStraightThroughGradient() {
        Tensor x = g("fq.x").detach().requiresGrad(true);
        Tensor y = FakeQuantize.fakeQuantize(x, qparams("fq", -1), 0, 127);
        assertClose(g("fq.y"), y, 0, 0, "fake quantized");
        y.mul(g("fq.gy")).sum().backward();
        assertClose(g("fq.gx"), x.grad(), 0, 0, "gradient (zero where clamped)");
    }

    @Test
    void perChannelForwardAndStraightThroughGradient() {
        Tensor x = g("fq.x").detach().requiresGrad(true);
        Tensor y = FakeQuantize.fakeQuantize(x, qparams("fqc", 1), -128, 127);
        assertClose(g("fqc.y"), y, 0, 0, "fake quantized per channel");
        y.mul(g("fq.gy")).sum().backward();
        assertClose(g("fqc.gx"), x.grad(), 0, 0, "gradient per channel");
    }

    @Test
    void moduleObservesInTrainingAndFreezesWhenAsked() {
        FakeQuantize fq = FakeQuantize.forActivations();
        fq.train();
        fq.call(Torch.tensor(new float[] {-1f, 2f}, 2));
        QParams first = fq.qparams();
        fq.call(Torch.tensor(new float[] {-10f, 20f}, 2));
        QParams moved = fq.qparams();
        assertEquals(false, first.equals(moved), "the moving average moved");
        fq.disableObserver();
        fq.call(Torch.tensor(new float[] {-100f, 200f}, 2));
        assertEquals(moved, fq.qparams(), "frozen");
    }
}
