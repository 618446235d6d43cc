package dev.torchlet.nn;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * Float64 finite-difference gradient checks (eps 1e-6, atol 1e-5, rtol 1e-3) of the functions behind
 * the generative building blocks, at random points.
 */
class GenerativeGradCheckTest {
    private static Tensor randn(long seed, int... shape) {
        Torch.manualSeed(seed);
        return Torch.randn(shape).to(DType.FLOAT64).requiresGrad(true);
    }

    @Test
    void transposedConvolutionWithGroupsDilationAndOutputPadding() {
        GradCheck.check(
                "convTranspose2d groups 2, dilation 2, stride 2, output padding 1",
                a -> F.convTranspose2d(
                        a[0], a[1], a[2], new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 2, new int[] {2, 2}),
                randn(1, 1, 4, 3, 3),
                randn(2, 4, 3, 2, 2),
                randn(3, 6));
    }

    @Test
    void interpolation() {
        Tensor x = randn(4, 1, 2, 4, 5);
        GradCheck.check("nearest x1.5", a -> F.interpolate(a[0], 1.5, "nearest", false), x);
        GradCheck.check("bilinear x1.5", a -> F.interpolate(a[0], 1.5, "bilinear", false), x);
        GradCheck.check(
                "bilinear align corners to (7, 3)", a -> F.interpolate(a[0], new int[] {7, 3}, "bilinear", true), x);
    }

    @Test
    void pixelShuffle() {
        GradCheck.check("pixelShuffle 2", a -> F.pixelShuffle(a[0], 2), randn(5, 2, 8, 2, 3));
        GradCheck.check("pixelUnshuffle 2", a -> F.pixelUnshuffle(a[0], 2), randn(6, 1, 2, 4, 6));
    }

    @Test
    void instanceNorm() {
        GradCheck.check(
                "instanceNorm affine",
                a -> F.instanceNorm(a[0], null, null, a[1], a[2], true, 0.1, 1e-5),
                randn(7, 2, 3, 3, 4),
                randn(8, 3),
                randn(9, 3));
        Tensor mean = Torch.randn(3).to(DType.FLOAT64);
        Tensor var = Torch.rand(3).add(0.5f).to(DType.FLOAT64);
        GradCheck.check(
                "instanceNorm with running statistics (eval)",
                a -> F.instanceNorm(a[0], mean, var, a[1], null, false, 0.1, 1e-5),
                randn(10, 2, 3, 2, 2),
                randn(11, 3));
    }

    @Test
    void spectralNormWeight() {
        Torch.manualSeed(12);
        Tensor u = F.normalize(Torch.randn(4).to(DType.FLOAT64), 2, 0, 1e-12);
        Tensor v = F.normalize(Torch.randn(3 * 2 * 2).to(DType.FLOAT64), 2, 0, 1e-12);
        GradCheck.check(
                "spectralNorm (u, v fixed)",
                a -> F.spectralNorm(a[0], u, v, 0, 1, 1e-12, false),
                randn(13, 4, 3, 2, 2));
        Tensor u1 = F.normalize(Torch.randn(3).to(DType.FLOAT64), 2, 0, 1e-12);
        Tensor v1 = F.normalize(Torch.randn(4 * 2 * 2).to(DType.FLOAT64), 2, 0, 1e-12);
        GradCheck.check(
                "spectralNorm dim 1", a -> F.spectralNorm(a[0], u1, v1, 1, 1, 1e-12, false), randn(14, 4, 3, 2, 2));
        GradCheck.check("normalize", a -> F.normalize(a[0], 2, 1, 1e-12), randn(15, 3, 4));
    }

    @Test
    void timestepEmbeddingOfFloatTimesteps() {
        Tensor t = Torch.tensor(new double[] {0.3, 1.7, 4.2}, 3).requiresGrad(true);
        // computed in float32 (as diffusers): f32 finite differences, eps 1e-2, looser tolerance
        GradCheck.check("timestepEmbedding", a -> F.timestepEmbedding(a[0], 6), 1e-2, 2e-3, 2e-2, t);
    }
}
