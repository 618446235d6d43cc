package dev.torchlet.vision.generative;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Diffusion against PyTorch goldens ({@code tools/golden/gen_diffusion.py}, fixture golden/diffusion): schedules
 * (float64, atol 1e-12), q_sample and single DDPM / DDIM / guidance steps (float32, atol 1e-5 rtol 1e-5), and the
 * bench's U-Net (output atol 2e-4 rtol 1e-3, input gradient atol 2e-4 rtol 1e-3, parameter gradients: first 256
 * entries within 1e-3 * max|grad| + rtol 1e-3, norms rtol 1e-3); a finite-difference check of a tiny U-Net;
 * sampler shapes and bad input.
 */
class DiffusionTest {
    private static final String FIX = "diffusion";

    private static Tensor g(String key) {
        return Golden.get(FIX, key);
    }

    private static void assertArrays(double[] expected, double[] actual, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], atol + 1e-12 * Math.abs(expected[i]), what + "[" + i + "]");
        }
    }

    @Test
    void schedulesMatchPyTorch() {
        for (var c : List.of(
                Map.entry("linear", NoiseSchedule.linear(1000)),
                Map.entry("cosine", NoiseSchedule.cosine(1000)),
                Map.entry("cosine_10", NoiseSchedule.cosine(10)))) {
            NoiseSchedule s = c.getValue();
            String p = "sched." + c.getKey() + ".";
            assertArrays(g(p + "betas").toDoubleArray(), s.betas(), 1e-12, p + "betas");
            assertArrays(g(p + "alphas").toDoubleArray(), s.alphas(), 1e-12, p + "alphas");
            assertArrays(g(p + "alpha_bars").toDoubleArray(), s.alphaBars(), 1e-12, p + "alpha_bars");
        }
        NoiseSchedule cos = NoiseSchedule.cosine(1000);
        assertEquals(0.999, cos.beta(999), 0, "cosine betas are clipped at 0.999");
        assertEquals(1.0, cos.alphaBar(-1), 0);
        assertEquals(0.0, cos.posteriorVariance(0), 0);
    }

    @Test
    void qSampleMatchesPyTorch() {
        Tensor xt = NoiseSchedule.linear(1000).qSample(g("q.x0"), g("q.t"), g("q.eps"));
        assertClose(g("q.xt"), xt, 1e-5, 1e-5, "qSample linear");
        Tensor xc = NoiseSchedule.cosine(1000).qSample(g("q.x0"), g("q.t"), g("q.eps"));
        assertClose(g("q.xt_cosine"), xc, 1e-5, 1e-5, "qSample cosine");
    }

    @Test
    void ddpmDdimAndGuidanceStepsMatchPyTorch() {
        Diffusion d = new Diffusion(NoiseSchedule.linear(1000));
        Tensor xt = g("step.xt");
        Tensor eps = g("step.eps");
        Tensor z = g("step.z");
        var tilde = Diffusion.Variance.BETA_TILDE;
        assertClose(g("ddpm.t500"), d.ddpmStep(xt, 500, eps, z, tilde), 1e-5, 1e-5, "ddpm t=500");
        assertClose(
                g("ddpm.t500_beta"),
                d.ddpmStep(xt, 500, eps, z, Diffusion.Variance.BETA),
                1e-5,
                1e-5,
                "ddpm t=500 variance beta");
        assertClose(g("ddpm.t1"), d.ddpmStep(xt, 1, eps, z, tilde), 1e-5, 1e-5, "ddpm t=1");
        assertClose(g("ddpm.t0"), d.ddpmStep(xt, 0, eps, z, tilde), 1e-5, 1e-5, "ddpm t=0 (no noise)");
        assertClose(g("ddim.t500_480_eta0"), d.ddimStep(xt, 500, 480, eps, 0, z), 1e-5, 1e-5, "ddim eta 0");
        assertClose(g("ddim.t500_480_eta05"), d.ddimStep(xt, 500, 480, eps, 0.5, z), 1e-5, 1e-5, "ddim eta 0.5");
        assertClose(g("ddim.t500_480_eta1"), d.ddimStep(xt, 500, 480, eps, 1, z), 1e-5, 1e-5, "ddim eta 1");
        assertClose(g("ddim.t20_last"), d.ddimStep(xt, 20, -1, eps, 0, z), 1e-5, 1e-5, "ddim last step");
        // DDIM with eta 1 between consecutive steps is the DDPM step with variance beta_tilde
        assertClose(d.ddpmStep(xt, 300, eps, z, tilde), d.ddimStep(xt, 300, 299, eps, 1, z), 1e-5, 1e-4, "eta 1");
        assertClose(g("cfg.w3"), Diffusion.guide(g("cfg.uncond"), g("cfg.cond"), 3), 1e-6, 1e-6, "guidance 3");
        assertClose(g("cfg.w0"), Diffusion.guide(g("cfg.uncond"), g("cfg.cond"), 0), 0, 0, "guidance 0");
    }

    /** The generator's formula for every parameter (see gen_diffusion.py). */
    static void fill(UNet model) {
        try (var ng = Torch.noGrad()) {
            for (var e : model.stateDict().entrySet()) {
                String name = e.getKey();
                Tensor p = e.getValue();
                int h = 0;
                for (int k = 0; k < name.length(); k++) {
                    h += name.charAt(k) * (k + 1);
                }
                h %= 997;
                int[] shape = p.shape();
                String[] parts = name.split("\\.");
                String owner = parts.length >= 2 ? parts[parts.length - 2] : "";
                boolean norm = name.endsWith("weight")
                        && List.of("n1", "n2", "an", "nout").contains(owner);
                float[] v = new float[(int) p.numel()];
                double scale = shape.length >= 2 ? 1.7 / Math.sqrt((double) p.numel() / shape[0]) : 0.2;
                for (int j = 0; j < v.length; j++) {
                    double s = Math.sin(0.37 * j + 0.01 * h);
                    v[j] = (float) (norm ? 1 + 0.2 * s : scale * s);
                }
                p.copyFrom(Torch.tensor(v, shape));
            }
        }
    }

    private static void checkUnet(String c, UNet model, Tensor y) {
        fill(model);
        TreeSet<String> expectedNames = new TreeSet<>();
        Golden.load(FIX).keySet().stream()
                .filter(k -> k.startsWith(c + ".shape."))
                .forEach(k -> expectedNames.add(k.substring((c + ".shape.").length())));
        assertEquals(expectedNames, new TreeSet<>(model.namedParameters().keySet()), c + ": parameter names");
        Tensor x = g(c + ".x").detach().requiresGrad(true);
        Tensor out = model.call(x, g(c + ".t"), y);
        assertClose(g(c + ".out"), out, 2e-4, 1e-3, c + ": output");
        out.mul(g(c + ".g")).sum().backward();
        assertClose(g(c + ".gx"), x.grad(), 2e-4, 1e-3, c + ": input gradient");
        for (var e : model.namedParameters().entrySet()) {
            String k = e.getKey();
            long[] shape = g(c + ".shape." + k).toLongArray();
            int[] actual = e.getValue().shape();
            assertEquals(shape.length, actual.length, k);
            for (int i = 0; i < shape.length; i++) {
                assertEquals(shape[i], actual[i], k + ": shape");
            }
            Tensor grad = e.getValue().grad();
            Tensor head = g(c + ".grad_head." + k);
            double max = 0;
            for (double v : head.toDoubleArray()) {
                max = Math.max(max, Math.abs(v));
            }
            assertClose(
                    head, grad.flatten().narrow(0, 0, (int) head.numel()), 1e-3 * max + 1e-7, 1e-3, c + ": grad " + k);
            double norm = Math.sqrt(grad.pow(2f).sum().itemDouble());
            double expected = g(c + ".grad_norm." + k).itemDouble();
            assertEquals(expected, norm, 1e-3 * expected + 1e-7, c + ": grad norm " + k);
        }
    }

    @Test
    void benchUnetMatchesPyTorchForwardAndGradients() {
        UNet model = new UNet();
        assertEquals(
                2_047_809, model.parameters().stream().mapToLong(Tensor::numel).sum(), "PyTorch's count");
        checkUnet("unet", model, null);
    }

    @Test
    void conditionalUnetMatchesPyTorchForwardAndGradients() {
        UNet model = new UNet(64, 1, 10);
        assertEquals(
                2_050_625, model.parameters().stream().mapToLong(Tensor::numel).sum(), "PyTorch's count");
        assertEquals(10, model.nullClass());
        checkUnet("unet_cond", model, g("unet_cond.y"));
    }

    @Test
    void tinyUnetGradientsMatchFiniteDifferences() {
        Torch.manualSeed(3);
        UNet model = new UNet(8, 1, 3);
        Tensor x = Torch.randn(2, 1, 8, 8);
        Tensor t = Torch.tensor(new long[] {5, 900}, 2);
        Tensor y = Torch.tensor(new long[] {1, 3}, 2);
        Tensor w = Torch.randn(2, 1, 8, 8);
        model.call(x, t, y).mul(w).sum().backward();
        // f32 central differences, eps 1e-2, on a few entries of every parameter; the loss sums in float64
        double eps = 1e-2;
        int checked = 0;
        for (var e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            float[] grad = p.grad().flatten().toFloatArray();
            for (int idx : new int[] {0, (int) p.numel() / 2, (int) p.numel() - 1}) {
                double plus = perturbed(model, p, idx, eps, x, t, y, w);
                double minus = perturbed(model, p, idx, -eps, x, t, y, w);
                double numeric = (plus - minus) / (2 * eps);
                assertEquals(numeric, grad[idx], 5e-3 + 2e-2 * Math.abs(numeric), e.getKey() + "[" + idx + "]");
                checked++;
            }
        }
        assertTrue(checked > 100, "checked " + checked);
    }

    private static double perturbed(UNet model, Tensor p, int idx, double eps, Tensor x, Tensor t, Tensor y, Tensor w) {
        try (var ng = Torch.noGrad()) {
            float[] v = p.flatten().toFloatArray();
            float orig = v[idx];
            v[idx] = (float) (orig + eps);
            p.copyFrom(Torch.tensor(v, p.shape()));
            double[] out = model.call(x, t, y).mul(w).toDoubleArray();
            v[idx] = orig;
            p.copyFrom(Torch.tensor(v, p.shape()));
            double s = 0;
            for (double o : out) {
                s += o;
            }
            return s;
        }
    }

    @Test
    void samplersGiveImagesInRangeAndDdimIsDeterministic() {
        Torch.manualSeed(5);
        UNet model = new UNet(8, 1, 0);
        Diffusion d = new Diffusion(NoiseSchedule.linear(100));
        Torch.manualSeed(9);
        Tensor a = d.sampleDdim(model, 3, 8, null, Diffusion.Sampling.ddim(5, 0));
        Torch.manualSeed(9);
        Tensor b = d.sampleDdim(model, 3, 8, null, Diffusion.Sampling.ddim(5, 0));
        assertArrayEquals(new int[] {3, 1, 8, 8}, a.shape());
        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f, "eta 0: the same x_T gives the same images");
        for (float v : a.toFloatArray()) {
            assertTrue(v >= -1 && v <= 1);
        }
        Tensor c = d.sampleDdim(model, 2, 8, null, new Diffusion.Sampling(4, 1.0, 0, false));
        assertArrayEquals(new int[] {2, 1, 8, 8}, c.shape());
        Tensor full = d.sampleDdpm(model, 2, 8, null, Diffusion.Sampling.ddim(1, 0));
        assertArrayEquals(new int[] {2, 1, 8, 8}, full.shape());
        assertArrayEquals(new int[] {90, 80, 70, 60, 50, 40, 30, 20, 10, 0}, Diffusion.ddimTimesteps(100, 10));
        assertArrayEquals(new int[] {666, 333, 0}, Diffusion.ddimTimesteps(1000, 3));

        UNet cond = new UNet(8, 1, 3);
        Tensor labels = Torch.tensor(new long[] {0, 2}, 2);
        Tensor guided = d.sampleDdim(cond, 2, 8, labels, Diffusion.Sampling.ddim(3, 3.0));
        assertArrayEquals(new int[] {2, 1, 8, 8}, guided.shape());
        // w = 1 is the conditional prediction, w = 0 the null class's
        Tensor xt = Torch.randn(2, 1, 8, 8);
        try (var ng = Torch.noGrad()) {
            cond.eval();
            Tensor eCond = cond.call(xt, Torch.tensor(new long[] {50, 50}, 2), labels);
            Tensor eNull = cond.call(xt, Torch.tensor(new long[] {50, 50}, 2), Torch.tensor(new long[] {3, 3}, 2));
            Tensor mixed = d.predictEps(cond, xt, 50, labels, 2.5);
            assertClose(Diffusion.guide(eNull, eCond, 2.5), mixed, 1e-5, 1e-4, "batched guidance");
        }
    }

    @Test
    void trainingLossIsMseOfTheNoiseAndDropsLabels() {
        Torch.manualSeed(1);
        UNet model = new UNet(8, 1, 10);
        Diffusion d = new Diffusion(NoiseSchedule.linear(1000));
        Tensor x0 = Torch.rand(4, 1, 8, 8).mul(2f).sub(1f);
        Tensor loss = d.loss(model, x0, Torch.tensor(new long[] {0, 1, 2, 3}, 4), Diffusion.DEFAULT_P_UNCOND);
        assertEquals(0, loss.dim());
        loss.backward();
        assertTrue(model.getParameter("yemb.weight").grad() != null);
        long[] all = Diffusion.dropLabels(Torch.tensor(new long[] {1, 2, 3}, 3), 1.0, 10)
                .toLongArray();
        assertArrayEquals(new long[] {10, 10, 10}, all);
        long[] none = Diffusion.dropLabels(Torch.tensor(new long[] {1, 2, 3}, 3), 0.0, 10)
                .toLongArray();
        assertArrayEquals(new long[] {1, 2, 3}, none);
    }

    @Test
    void badInputIsRejectedClearly() {
        Diffusion d = new Diffusion(NoiseSchedule.linear(1000));
        var neg = assertThrows(IllegalArgumentException.class, () -> Diffusion.Sampling.ddim(50, -1));
        assertEquals("diffusion: guidance must be a number >= 0, got -1.0", neg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Diffusion.guide(Torch.zeros(1), Torch.zeros(1), -0.5));
        var zero = assertThrows(IllegalArgumentException.class, () -> Diffusion.Sampling.ddim(0, 1));
        assertEquals("diffusion: steps must be at least 1, got 0", zero.getMessage());
        UNet tiny = new UNet(8, 1, 0);
        var many = assertThrows(
                IllegalArgumentException.class, () -> d.sampleDdim(tiny, 1, 8, null, Diffusion.Sampling.ddim(1001, 0)));
        assertEquals("diffusion: sampling steps must be in [1, 1000] (the schedule's T), got 1001", many.getMessage());
        var side = assertThrows(
                IllegalArgumentException.class,
                () -> tiny.call(Torch.zeros(1, 1, 10, 10), Torch.tensor(new long[] {1}, 1)));
        assertTrue(side.getMessage().contains("multiples of 4"), side.getMessage());
        var noT = assertThrows(IllegalArgumentException.class, () -> tiny.call(Torch.zeros(1, 1, 8, 8)));
        assertTrue(noT.getMessage().contains("needs timesteps"), noT.getMessage());
        var labels = assertThrows(
                IllegalArgumentException.class,
                () -> tiny.call(
                        Torch.zeros(1, 1, 8, 8), Torch.tensor(new long[] {1}, 1), Torch.tensor(new long[] {1}, 1)));
        assertEquals("UNet: this model is unconditional; got class labels", labels.getMessage());
        UNet cond = new UNet(8, 1, 3);
        var outside = assertThrows(
                IllegalArgumentException.class,
                () -> cond.call(
                        Torch.zeros(1, 1, 8, 8), Torch.tensor(new long[] {1}, 1), Torch.tensor(new long[] {4}, 1)));
        assertTrue(outside.getMessage().contains("label 4 is outside"), outside.getMessage());
        var t = assertThrows(
                IllegalArgumentException.class,
                () -> NoiseSchedule.linear(10)
                        .qSample(Torch.zeros(1, 1, 4, 4), Torch.tensor(new long[] {10}, 1), Torch.zeros(1, 1, 4, 4)));
        assertEquals("NoiseSchedule: timestep 10 is outside [0, 10)", t.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new UNet(12, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.of("quadratic", 10));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(0));
    }
}
