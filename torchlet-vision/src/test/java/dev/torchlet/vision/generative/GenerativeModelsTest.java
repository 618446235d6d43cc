package dev.torchlet.vision.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.optim.Adam;
import dev.torchlet.vision.features.FeatureExtractor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Shapes, state-dict layouts and parameter counts against the PyTorch definitions (the DCGAN of
 * {@code _dcgan()} in ../shared/bench/pytorch_bench.py; the other counts come from the same layers written
 * in PyTorch 1.13, see the comments), and a few training steps that lower the losses.
 */
class GenerativeModelsTest {
    private static long count(Module m) {
        return m.parameters().stream().mapToLong(Tensor::numel).sum();
    }

    private static Map<String, List<Integer>> layout(Module m) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> {
            List<Integer> s = new ArrayList<>();
            for (int d : v.shape()) {
                s.add(d);
            }
            out.put(k, s);
        });
        return out;
    }

    @Test
    void dcganMatchesThePyTorchDefinition() {
        Module g = DCGAN.generator(100);
        Module d = DCGAN.discriminator();
        // PyTorch 1.13: sum(p.numel() for p in g.parameters()) of _dcgan()
        assertEquals(2_305_472, count(g));
        assertEquals(212_865, count(d));
        Map<String, List<Integer>> gLayout = new LinkedHashMap<>();
        gLayout.put("0.weight", List.of(12544, 100));
        for (String k : List.of("weight", "bias", "running_mean", "running_var")) {
            gLayout.put("1." + k, List.of(12544));
        }
        gLayout.put("1.num_batches_tracked", List.of());
        gLayout.put("4.weight", List.of(256, 128, 5, 5));
        for (String k : List.of("weight", "bias", "running_mean", "running_var")) {
            gLayout.put("5." + k, List.of(128));
        }
        gLayout.put("5.num_batches_tracked", List.of());
        gLayout.put("7.weight", List.of(128, 64, 5, 5));
        for (String k : List.of("weight", "bias", "running_mean", "running_var")) {
            gLayout.put("8." + k, List.of(64));
        }
        gLayout.put("8.num_batches_tracked", List.of());
        gLayout.put("10.weight", List.of(64, 1, 5, 5));
        assertEquals(gLayout, layout(g));
        Map<String, List<Integer>> dLayout = new LinkedHashMap<>();
        dLayout.put("0.weight", List.of(64, 1, 5, 5));
        dLayout.put("0.bias", List.of(64));
        dLayout.put("3.weight", List.of(128, 64, 5, 5));
        dLayout.put("3.bias", List.of(128));
        dLayout.put("7.weight", List.of(1, 6272));
        dLayout.put("7.bias", List.of(1));
        assertEquals(dLayout, layout(d));
        Tensor images = g.call(Torch.randn(3, 100));
        assertArrayEquals(new int[] {3, 1, 28, 28}, images.shape());
        float[] v = images.toFloatArray();
        for (float x : v) {
            assertTrue(x >= -1 && x <= 1, "tanh output in [-1, 1]");
        }
        assertArrayEquals(new int[] {3, 1}, d.call(images).shape());
    }

    @Test
    void conditionalDcganShapesAndCounts() {
        Gan gan = Gan.conditionalDcgan(100, 10);
        // PyTorch: ModuleDict(label_emb=Embedding(10, 50), net=_dcgan()[0] with Linear(150, 12544, bias=False))
        assertEquals(2_933_172, count(gan.generator()));
        // PyTorch: ModuleDict(label_emb=Embedding(10, 784), net=_dcgan()[1] with Conv2d(2, 64, 5, 2, 2))
        assertEquals(222_305, count(gan.discriminator()));
        Tensor labels = Torch.tensor(new long[] {0, 9, 3}, 3);
        Tensor images = gan.generate(gan.noise(3), labels);
        assertArrayEquals(new int[] {3, 1, 28, 28}, images.shape());
        assertArrayEquals(new int[] {3, 1}, gan.discriminate(images, labels).shape());
        assertTrue(gan.stateDict().containsKey("generator.label_emb.weight"));
        assertTrue(gan.stateDict().containsKey("discriminator.net.7.weight"));
        var missing = assertThrows(IllegalArgumentException.class, () -> gan.generate(gan.noise(3), null));
        assertTrue(missing.getMessage().contains("needs class labels"), missing.getMessage());
        var outside = assertThrows(
                IllegalArgumentException.class, () -> gan.generate(gan.noise(1), Torch.tensor(new long[] {10}, 1)));
        assertTrue(outside.getMessage().contains("label 10 is outside the 10 classes"), outside.getMessage());
        var unconditional = Gan.dcgan(100);
        assertThrows(IllegalArgumentException.class, () -> unconditional.generate(unconditional.noise(3), labels));
    }

    @Test
    void autoencoderAndVaeShapesCountsAndFeatures() {
        ConvAutoencoder ae = new ConvAutoencoder(16);
        VAE vae = new VAE(16);
        // PyTorch: the same layers (Conv2d(1,32,4,2,1), Conv2d(32,64,4,2,1), Linear(3136,16), decoder) counted
        assertEquals(170_193, count(ae));
        assertEquals(220_385, count(vae));
        Tensor x = Torch.rand(2, 1, 28, 28);
        assertArrayEquals(new int[] {2, 1, 28, 28}, ae.call(x).shape());
        assertArrayEquals(new int[] {2, 16}, ae.encode(x).shape());
        assertArrayEquals(new int[] {2, 1, 28, 28}, vae.call(x).shape());
        assertArrayEquals(new int[] {5, 1, 28, 28}, vae.sample(5).shape());
        vae.eval();
        Tensor mu = vae.features(x);
        Map<String, Tensor> f = FeatureExtractor.of(vae, "fc_mu").extract(x);
        assertArrayEquals(mu.toFloatArray(), f.get("fc_mu").toFloatArray(), 0f);
        assertArrayEquals(new float[] {}, new float[] {});
        assertThrows(IllegalArgumentException.class, () -> vae.sample(0));
    }

    @Test
    void vaeKlTermIsTheClosedForm() {
        // mu = 1, logvar = 0 in every one of 2 x 3 entries: KL per image = 1/2 * 3 * mu^2 = 1.5
        Tensor mu = Torch.ones(2, 3);
        Tensor logVar = Torch.zeros(2, 3);
        var out = new VAE.Output(Torch.zeros(2, 1, 28, 28), new VAE.Posterior(mu, logVar), mu);
        VAE.Losses l = VAE.loss(out, Torch.full(0.5f, 2, 1, 28, 28), 2.0);
        assertEquals(1.5, l.kl().itemDouble(), 1e-6);
        // BCE(logit 0, target 0.5) = log 2 per pixel, summed over 784 pixels
        assertEquals(784 * Math.log(2), l.reconstruction().itemDouble(), 1e-3);
        assertEquals(784 * Math.log(2) + 3.0, l.total().itemDouble(), 1e-3);
        assertThrows(IllegalArgumentException.class, () -> VAE.loss(out, Torch.zeros(2, 1, 28, 28), -1));
    }

    /** 16 "images": a bright square on a dark background, in [0, 1]. */
    private static Tensor tinyImages() {
        float[] d = new float[16 * 28 * 28];
        for (int i = 0; i < 16; i++) {
            for (int y = 6 + i % 4; y < 20; y++) {
                for (int x = 8; x < 22 - i % 3; x++) {
                    d[i * 784 + y * 28 + x] = 0.9f;
                }
            }
        }
        return Torch.tensor(d, 16, 1, 28, 28);
    }

    @Test
    void vaeAndAutoencoderStepsLowerTheirLosses() {
        Torch.manualSeed(1);
        Tensor x = tinyImages();
        VAE vae = new VAE(8);
        Adam opt = new Adam(vae.parameters(), 1e-3);
        double first = 0;
        double last = 0;
        for (int step = 0; step < 15; step++) {
            opt.zeroGrad();
            VAE.Losses l = VAE.loss(vae.run(x), x, 1.0);
            l.total().backward();
            opt.step();
            if (step == 0) {
                first = l.total().itemDouble();
            }
            last = l.total().itemDouble();
        }
        assertTrue(last < 0.8 * first, "VAE loss " + first + " -> " + last);
        ConvAutoencoder ae = new ConvAutoencoder(8);
        Adam aeOpt = new Adam(ae.parameters(), 1e-3);
        double aeFirst = 0;
        double aeLast = 0;
        for (int step = 0; step < 15; step++) {
            aeOpt.zeroGrad();
            Tensor loss = ConvAutoencoder.loss(ae.decodeLogits(ae.encode(x)), x);
            loss.backward();
            aeOpt.step();
            if (step == 0) {
                aeFirst = loss.itemDouble();
            }
            aeLast = loss.itemDouble();
        }
        assertTrue(aeLast < 0.8 * aeFirst, "autoencoder loss " + aeFirst + " -> " + aeLast);
    }

    @Test
    void ganStepsTrainBothPlayers() {
        Torch.manualSeed(2);
        Tensor real = tinyImages().mul(2f).sub(1f); // [-1, 1]
        Gan gan = Gan.dcgan(100);
        GanTrainer trainer = new GanTrainer(gan, GanTrainer.Options.defaults());
        List<GanTrainer.StepLosses> steps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            steps.add(trainer.step(real, null));
        }
        // the discriminator learns to tell the square from the untrained generator's noise
        assertTrue(steps.get(3).discriminatorLoss() < steps.get(0).discriminatorLoss(), "discriminator loss " + steps);
        assertTrue(steps.get(3).realScore() > steps.get(3).fakeScore(), steps.toString());
        // with the discriminator held fixed, generator steps lower the generator's (non-saturating) loss
        gan.discriminator().eval(); // no dropout: the same D each time
        Tensor z = gan.noise(16);
        double gFirst = 0;
        double gLast = 0;
        for (int i = 0; i < 4; i++) {
            trainer.generatorOptimizer().zeroGrad();
            Tensor logits = gan.discriminate(gan.generate(z, null), null);
            Tensor loss = dev.torchlet.nn.functional.F.binaryCrossEntropyWithLogits(
                    logits, Torch.ones(16, 1), null, null, dev.torchlet.nn.Reduction.MEAN);
            loss.backward();
            trainer.generatorOptimizer().step();
            if (i == 0) {
                gFirst = loss.itemDouble();
            }
            gLast = loss.itemDouble();
        }
        assertTrue(gLast < gFirst, "generator loss " + gFirst + " -> " + gLast);
        assertFalse(Double.isNaN(gLast));
    }

    @Test
    void conditionalGanStepRuns() {
        Torch.manualSeed(3);
        Gan gan = Gan.conditionalDcgan(16, 10);
        var trainer = new GanTrainer(gan, GanTrainer.Options.defaults());
        Tensor real = Torch.rand(4, 1, 28, 28).mul(2f).sub(1f);
        var s = trainer.step(real, Torch.tensor(new long[] {0, 1, 2, 3}, 4));
        assertTrue(Double.isFinite(s.discriminatorLoss()) && Double.isFinite(s.generatorLoss()), s.toString());
        assertThrows(
                IllegalArgumentException.class,
                () -> GanTrainer.Options.defaults().withRealLabel(0));
    }

    /** The library contract: children only through child(name), never in Module-typed fields. */
    @Test
    void noModuleFields() {
        for (Class<?> c : List.of(
                DCGAN.class,
                Gan.class,
                GanTrainer.class,
                ConditionalGenerator.class,
                ConditionalDiscriminator.class,
                ConvAutoencoder.class,
                VAE.class)) {
            for (Field f : c.getDeclaredFields()) {
                assertFalse(
                        Module.class.isAssignableFrom(f.getType()) && Module.class.isAssignableFrom(c), c + "." + f);
            }
        }
    }

    @Test
    void paperInitDrawsWeightsFromNormal002AndZeroesBiases() {
        Torch.manualSeed(3);
        Gan gan = DCGAN.paperInit(Gan.dcgan(DCGAN.NOISE_DIM));
        Map<String, Tensor> p = gan.namedParameters();
        for (String k : List.of("generator.0.weight", "generator.4.weight", "discriminator.3.weight")) {
            Tensor w = p.get(k);
            assertEquals(0, w.mean().itemDouble(), 1e-3, k + " mean");
            assertEquals(0.02, w.std().itemDouble(), 1e-3, k + " std"); // 200k+ draws each
        }
        assertEquals(0, p.get("discriminator.0.bias").abs().max().itemDouble(), 0, "conv bias zeroed");
        Tensor bn = p.get("generator.1.weight");
        assertEquals(1, bn.mean().itemDouble(), 2e-3, "batch-norm scale mean");
        assertEquals(0.02, bn.std().itemDouble(), 2e-3, "batch-norm scale std");
        assertEquals(0, p.get("generator.1.bias").abs().max().itemDouble(), 0, "batch-norm shift zeroed");
    }
}
