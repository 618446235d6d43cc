package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.Golden;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The building blocks of generative models against PyTorch 1.13 (tools/golden/gen_generative.py):
 * PyTorch's parameters and buffers are loaded by state-dict name (so names and shapes must match),
 * the module is run with {@code call} (so spectral norm's pre-hook runs), then output, input
 * gradient, parameter gradients and buffers after the step are compared. Tolerance atol 1e-5,
 * rtol 1e-4 unless stated.
 */
class GenerativeLayersGoldenTest {
    private static final String FILE = "generative";

    private static Tensor g(String key) {
        return Golden.get(FILE, key);
    }

    static Map<String, Tensor> withPrefix(String prefix) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        Golden.load(FILE).forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    private static void check(String name, Supplier<Module> make, boolean train) {
        check(name, make, train, Module::call);
    }

    private static void check(
            String name, Supplier<Module> make, boolean train, BiFunction<Module, Tensor, Tensor> run) {
        Module m = make.get();
        m.train(train);
        Map<String, Tensor> params = withPrefix(name + ".param.");
        assertEquals(List.copyOf(params.keySet()), List.copyOf(m.stateDict().keySet()), name + " state-dict names");
        m.loadStateDict(params);
        Tensor x = g(name + ".x").clone().requiresGrad(true);
        Tensor y = run.apply(m, x);
        assertClose(g(name + ".y"), y, 1e-5, 1e-4, name + " output");
        y.backward(g(name + ".g"));
        assertClose(g(name + ".gx"), x.grad(), 1e-5, 1e-4, name + " input grad");
        m.namedParameters()
                .forEach((k, p) -> assertClose(g(name + ".grad." + k), p.grad(), 1e-5, 1e-4, name + " grad " + k));
        Map<String, Tensor> after = withPrefix(name + ".after.");
        assertEquals(after.keySet(), m.namedBuffers().keySet(), name + " buffer names");
        m.namedBuffers().forEach((k, b) -> assertClose(after.get(k), b, 1e-5, 1e-4, name + " buffer " + k));
    }

    @Test
    void transposedConvolutions() {
        check(
                "convt_groups_dil",
                () -> new ConvTranspose2d(ConvTranspose2dOptions.of(4, 6, 3)
                        .withStride(2)
                        .withPadding(1)
                        .withOutputPadding(1)
                        .withGroups(2)
                        .withDilation(2)),
                true);
        check(
                "convt_rect",
                () -> new ConvTranspose2d(ConvTranspose2dOptions.of(3, 2, 3)
                        .withKernelSize(3, 2)
                        .withStride(2, 1)
                        .withPadding(1, 0)
                        .withOutputPadding(1, 0)
                        .withBias(false)),
                true);
        check(
                "convt_output_size",
                () -> new ConvTranspose2d(3, 2, 3, 2, 1),
                true,
                (m, x) -> ((ConvTranspose2d) m).call(x, new int[] {10, 9}));
        check(
                "convt_dcgan",
                () -> new ConvTranspose2d(ConvTranspose2dOptions.of(8, 4, 4)
                        .withStride(2)
                        .withPadding(1)
                        .withBias(false)),
                true);
    }

    @Test
    void outputSizeOutOfReachIsRejected() {
        ConvTranspose2d m = new ConvTranspose2d(3, 2, 3, 2, 1);
        Tensor x = g("convt_output_size.x");
        var e = assertThrows(IllegalArgumentException.class, () -> m.call(x, new int[] {11, 9}));
        assertEquals(
                "ConvTranspose2d: requested output size [11, 9] is not reachable from input [2, 3, 5, 5]:"
                        + " dimension 0 must be in [9, 10]",
                e.getMessage());
    }

    @Test
    void upsampling() {
        check("up_nearest_size", () -> new Upsample(new int[] {5, 9}, "nearest"), true);
        check("up_nearest_scale_1_5", () -> new Upsample(1.5, "nearest"), true);
        check("up_nearest_scale_2_3", () -> new Upsample(null, new double[] {2, 3}, "nearest", false), true);
        check("up_bilinear_scale_1_5", () -> new Upsample(1.5, "bilinear", false), true);
        check("up_bilinear_scale_ac", () -> new Upsample(null, new double[] {2, 3}, "bilinear", true), true);
        check("up_bilinear_size_ac", () -> new Upsample(new int[] {3, 11}, null, "bilinear", true), true);
        check("up_bilinear_half", () -> new Upsample(0.5, "bilinear", false), true);
    }

    @Test
    void pixelShuffle() {
        check("pixel_shuffle", () -> new PixelShuffle(2), true);
        check("pixel_shuffle_3", () -> new PixelShuffle(3), true);
        check("pixel_unshuffle", () -> new PixelUnshuffle(2), true);
        Tensor x = g("pixel_unshuffle.x");
        assertClose(x, F.pixelShuffle(F.pixelUnshuffle(x, 2), 2), 0, 0, "shuffle undoes unshuffle");
    }

    @Test
    void instanceNorm() {
        check("in_default", () -> new InstanceNorm2d(3), true);
        check("in_affine", () -> new InstanceNorm2d(3, true), true);
        check(
                "in_track_train",
                () -> new InstanceNorm2d(
                        InstanceNormOptions.of(3).withMomentum(0.2).withTrackRunningStats(true)),
                true);
        check(
                "in_track_eval",
                () -> new InstanceNorm2d(
                        InstanceNormOptions.of(3).withEps(1e-3).withAffine(true).withTrackRunningStats(true)),
                false);
    }

    @Test
    void spectralNorm() {
        check("sn_linear", () -> SpectralNorm.apply(new Linear(5, 4)), true);
        check("sn_conv", () -> SpectralNorm.apply(new Conv2d(3, 4, 3, 1, 1), "weight", 2, 1e-12, 0), true);
        check("sn_convt", () -> SpectralNorm.apply(new ConvTranspose2d(4, 3, 4, 2, 1)), true);
        check("sn_conv_eval", () -> SpectralNorm.apply(new Conv2d(3, 4, 3)), false);
    }

    @Test
    void spectralNormNamesAndMisuse() {
        Linear l = SpectralNorm.apply(new Linear(5, 4));
        assertEquals(
                List.of("bias", "weight_orig", "weight_u", "weight_v"),
                List.copyOf(l.stateDict().keySet()));
        assertEquals(
                List.of("bias", "weight_orig"), List.copyOf(l.namedParameters().keySet()));
        assertEquals(List.of(4, 5), List.of(l.weight().size(0), l.weight().size(1)), "weight() is the normalized one");
        var e = assertThrows(IllegalStateException.class, () -> SpectralNorm.apply(l));
        assertEquals("SpectralNorm(Linear.weight): spectral norm is already applied", e.getMessage());
        assertEquals(1, SpectralNorm.defaultDim(new ConvTranspose2d(2, 3, 3)));
    }

    @Test
    void spectralNormBringsTheLargestSingularValueToOne() {
        // after many training calls the power iteration converges: sigma_max(weight) ~ 1
        Linear l = SpectralNorm.apply(new Linear(6, 4));
        Tensor x = dev.torchlet.Torch.randn(2, 6);
        for (int i = 0; i < 50; i++) {
            l.call(x);
        }
        Tensor w = l.weight().detach();
        Tensor v = dev.torchlet.Torch.randn(6, 1);
        for (int i = 0; i < 200; i++) { // power iteration on W^T W
            v = w.t().matmul(w.matmul(v));
            v = v.div(v.norm().item());
        }
        float sigma = w.matmul(v).norm().item();
        assertEquals(1.0, sigma, 1e-3);
    }

    @Test
    void timestepEmbeddings() {
        // float32 sin/cos of arguments up to 999: atol 1e-4 (one ulp of 999 is 6e-5)
        Tensor t = g("temb.t");
        assertClose(g("temb.default_8"), F.timestepEmbedding(t, 8), 1e-4, 1e-4, "default 8");
        assertClose(g("temb.odd_9"), new SinusoidalTimestepEmbedding(9).call(t), 1e-4, 1e-4, "odd 9");
        assertClose(
                g("temb.flip_shift0_16"),
                new SinusoidalTimestepEmbedding(16, true, 0).call(t),
                1e-4,
                1e-4,
                "flip, shift 0, 16");
        assertClose(
                g("temb.scale_period_6"),
                new SinusoidalTimestepEmbedding(6, false, 1, 2, 1000).call(t),
                1e-4,
                1e-4,
                "scale 2, max period 1000");
        assertClose(g("temb.float_8"), F.timestepEmbedding(g("temb.tf"), 8), 1e-5, 1e-4, "float timesteps");
    }

    @Test
    void timestepEmbeddingBadInput() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> F.timestepEmbedding(dev.torchlet.Torch.zeros(2, 3), 8));
        assertEquals("timestep_embedding: expected timesteps of shape (N), got [2, 3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SinusoidalTimestepEmbedding(2));
        assertTrue(new SinusoidalTimestepEmbedding(2, true, 0).call(g("temb.t")).size(1) == 2);
    }
}
