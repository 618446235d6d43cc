package dev.torchlet.vision.generative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Reduction;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.Golden;
import dev.torchlet.vision.models.ProceduralWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The seed's DCGAN trained by {@link GanTrainer} against PyTorch (tools/golden/gen_gan_step.py): same initial
 * weights ({@link ProceduralWeights}, weight matrices and kernels times 0.25), real images and noise, the
 * discriminator's dropouts at p = 0 so both runs are deterministic. Gradients of tensors larger than 16384
 * elements are compared on their first 16384 (flattened), which keeps the fixture small.
 *
 * <p>Gradients of the first iteration: every element within 1e-6 + 3e-3 of its tensor's largest magnitude
 * (measured: at most 3e-4 of it everywhere except D's first convolution, 2.2e-3 for its bias: the fake images
 * differ from PyTorch's by float rounding, and a LeakyReLU input that this puts on the other side of 0 changes
 * its slope from 1 to 0.2).
 * The three-iteration trajectory is compared more loosely (losses within 1e-3): Adam's first updates are
 * lr * sign(g), so a gradient element that float rounding puts on the other side of zero moves its weight by
 * 2 lr, and the two runs then drift apart by design, not by bug.
 */
class GanStepGoldenTest {
    static final Map<String, Tensor> GOLDEN = Golden.load("gan_step");

    static Map<String, Tensor> prefixed(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        GOLDEN.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    static Gan pytorchInitialized() {
        Gan gan = Gan.dcgan(DCGAN.NOISE_DIM);
        gan.discriminator().replaceModule("2", new Dropout(0.0));
        gan.discriminator().replaceModule("5", new Dropout(0.0));
        ProceduralWeights.fill(gan); // the golden's initial weights (vision_parity.fill_procedural)
        try (var g = Torch.noGrad()) {
            for (Tensor p : gan.parameters()) {
                if (p.dim() >= 2) {
                    p.copyFrom(p.mul(0.25f));
                }
            }
        }
        gan.train();
        return gan;
    }

    static Tensor bce(Tensor logits, float target) {
        return F.binaryCrossEntropyWithLogits(logits, Torch.full(target, logits.shape()), null, null, Reduction.MEAN);
    }

    /** Element-wise within 1e-6 + rtol * max|expected|; expected may be the first elements of actual, flattened. */
    static void assertCloseToScale(String name, Tensor expected, Tensor actual, float rtol) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        if (expected.numel() < actual.numel() && expected.dim() != 1) {
            throw new AssertionError(name + ": golden holds " + expected.numel() + " of " + actual.numel() + " values");
        }
        float scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        float tol = 1e-6f + rtol * scale;
        for (int j = 0; j < e.length; j++) {
            if (!(Math.abs(e[j] - a[j]) <= tol)) {
                throw new AssertionError(
                        name + "[" + j + "]: expected " + e[j] + ", got " + a[j] + " (tolerance " + tol + ")");
            }
        }
    }

    @Test
    void firstIterationGradientsOfBothPlayersMatchPyTorch() {
        Gan gan = pytorchInitialized();
        Tensor real = GOLDEN.get("real");
        Tensor fake = gan.generate(GOLDEN.get("noise0"), null);
        Tensor dLoss = bce(gan.discriminate(real, null), 0.9f).add(bce(gan.discriminate(fake.detach(), null), 0f));
        dLoss.backward();
        assertEquals(GOLDEN.get("loss_d0").itemDouble(), dLoss.itemDouble(), 1e-5);
        gan.discriminator()
                .namedParameters()
                .forEach((k, p) -> assertCloseToScale(
                        "grad of discriminator." + k, GOLDEN.get("grad0.discriminator." + k), p.grad(), 3e-3f));
        gan.zeroGrad();
        bce(gan.discriminate(fake, null), 1f).backward(); // against the initial D (the golden's probe)
        gan.generator()
                .namedParameters()
                .forEach((k, p) -> assertCloseToScale(
                        "grad of generator." + k, GOLDEN.get("grad0.generator." + k), p.grad(), 3e-3f));
    }

    @Test
    void threeTrainerIterationsFollowPyTorch() {
        Gan gan = pytorchInitialized();
        GanTrainer trainer = new GanTrainer(gan, GanTrainer.Options.defaults());
        for (int i = 0; i < 3; i++) {
            GanTrainer.StepLosses s = trainer.step(GOLDEN.get("real"), null, GOLDEN.get("noise" + i));
            assertEquals(GOLDEN.get("loss_d" + i).itemDouble(), s.discriminatorLoss(), 1e-3, "loss_d, iteration " + i);
            assertEquals(GOLDEN.get("loss_g" + i).itemDouble(), s.generatorLoss(), 1e-3, "loss_g, iteration " + i);
        }
        // Batch-norm running statistics depend on the weights only through two forward passes: close.
        Map<String, Tensor> actual = gan.stateDict();
        prefixed("after.").forEach((k, expected) -> {
            if (k.contains("running_")) {
                assertCloseToScale(k, expected, actual.get(k), 1e-2f);
            }
        });
    }

    @Test
    void noiseOfTheWrongShapeIsNamed() {
        GanTrainer trainer = new GanTrainer(Gan.dcgan(DCGAN.NOISE_DIM), GanTrainer.Options.defaults());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> trainer.step(Torch.zeros(4, 1, 28, 28), null, Torch.zeros(3, DCGAN.NOISE_DIM)));
        assertEquals("GanTrainer.step: noise must be (4, 100) for 4 real images, got [3, 100]", e.getMessage());
    }
}
