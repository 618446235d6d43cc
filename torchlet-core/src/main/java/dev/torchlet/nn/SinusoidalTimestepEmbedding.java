package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;

/**
 * Sinusoidal embeddings of diffusion timesteps (N) to (N, dim), like diffusers' {@code Timesteps} layer
 * (its function get_timestep_embedding; see {@link F#timestepEmbedding(Tensor, int, boolean, double, double,
 * double)}): with h = dim / 2 and f_i = maxPeriod^(-i / (h - downscaleFreqShift)), the row of timestep t is
 * [sin(scale t f_0) .. sin(scale t f_{h-1}), cos(scale t f_0) .. cos(scale t f_{h-1})] (cos half first when
 * flipSinToCos), plus a zero column when dim is odd. No parameters. {@code new SinusoidalTimestepEmbedding(dim)}
 * is the DDPM paper's variant (sin first, shift 1, maxPeriod 10000); diffusers' UNet2DModel uses
 * {@code (dim, true, 0)}.
 */
public class SinusoidalTimestepEmbedding extends Module {
    private final int dim;
    private final boolean flipSinToCos;
    private final double downscaleFreqShift;
    private final double scale;
    private final double maxPeriod;

    public SinusoidalTimestepEmbedding(
            int dim, boolean flipSinToCos, double downscaleFreqShift, double scale, double maxPeriod) {
        if (dim < 1) {
            throw new IllegalArgumentException("SinusoidalTimestepEmbedding: dim must be >= 1, got " + dim);
        }
        if (dim / 2 > 0 && dim / 2 - downscaleFreqShift == 0) {
            throw new IllegalArgumentException("SinusoidalTimestepEmbedding: dim " + dim + " with downscaleFreqShift "
                    + downscaleFreqShift + " divides by zero (dim/2 - shift = 0)");
        }
        this.dim = dim;
        this.flipSinToCos = flipSinToCos;
        this.downscaleFreqShift = downscaleFreqShift;
        this.scale = scale;
        this.maxPeriod = maxPeriod;
    }

    /** The variant of diffusers' {@code Timesteps(dim, flipSinToCos, downscaleFreqShift)}. */
    public SinusoidalTimestepEmbedding(int dim, boolean flipSinToCos, double downscaleFreqShift) {
        this(dim, flipSinToCos, downscaleFreqShift, 1, 10000);
    }

    /** The DDPM paper's variant: sin half first, f_i = 10000^(-i / (dim/2 - 1)). */
    public SinusoidalTimestepEmbedding(int dim) {
        this(dim, false, 1);
    }

    public int dim() {
        return dim;
    }

    /** timesteps (N), int64 or float, to (N, dim) float32. */
    @Override
    public Tensor forward(Tensor timesteps) {
        return F.timestepEmbedding(timesteps, dim, flipSinToCos, downscaleFreqShift, scale, maxPeriod);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", flip_sin_to_cos=" + (flipSinToCos ? "True" : "False") + ", downscale_freq_shift="
                + downscaleFreqShift + ", scale=" + scale + ", max_period=" + maxPeriod;
    }
}
