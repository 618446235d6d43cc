package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Arrays;

/**
 * The forward (noising) process of a diffusion model over T steps t = 0 .. T-1 (Ho et al. 2020):
 *
 * <pre>
 * q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I),   alpha_t = 1 - beta_t,   abar_t = prod_{s <= t} alpha_s
 * x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps,          eps ~ N(0, I)          ({@link #qSample})
 * </pre>
 *
 * Two schedules: {@link #linear(int)} (betas evenly from 1e-4 to 0.02, the DDPM paper's) and {@link #cosine(int)}
 * (Nichol and Dhariwal 2021: abar(t) = f(t) / f(0), f(t) = cos((t/T + s) / (1 + s) * pi/2)^2, s = 0.008,
 * beta_t = min(1 - abar(t+1)/abar(t), 0.999), then abar recomputed as the product of 1 - beta). The arrays are
 * computed in float64 (torch.linspace / cumprod in float64 give the same numbers); tensors are float32.
 */
public final class NoiseSchedule {
    /** The usual number of steps. */
    public static final int DEFAULT_STEPS = 1000;

    private final String kind;
    private final double[] betas;
    private final double[] alphas;
    private final double[] alphaBars;

    private NoiseSchedule(String kind, double[] betas) {
        this.kind = kind;
        this.betas = betas;
        int n = betas.length;
        this.alphas = new double[n];
        this.alphaBars = new double[n];
        double prod = 1;
        for (int t = 0; t < n; t++) {
            alphas[t] = 1 - betas[t];
            prod *= alphas[t];
            alphaBars[t] = prod;
        }
    }

    /** Linear betas from 1e-4 to 0.02 over {@code steps} steps. */
    public static NoiseSchedule linear(int steps) {
        return linear(steps, 1e-4, 0.02);
    }

    /** Linear betas from betaStart to betaEnd (both included), like torch.linspace(betaStart, betaEnd, steps). */
    public static NoiseSchedule linear(int steps, double betaStart, double betaEnd) {
        checkSteps(steps);
        if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
            throw new IllegalArgumentException(
                    "NoiseSchedule: need 0 < betaStart <= betaEnd < 1, got " + betaStart + ", " + betaEnd);
        }
        double[] b = new double[steps];
        double step = steps == 1 ? 0 : (betaEnd - betaStart) / (steps - 1);
        for (int t = 0; t < steps; t++) {
            b[t] = betaStart + step * t;
        }
        return new NoiseSchedule("linear", b);
    }

    /** The cosine schedule with s = 0.008 and betas clipped at 0.999. */
    public static NoiseSchedule cosine(int steps) {
        checkSteps(steps);
        double s = 0.008;
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) {
            double a0 = cosineAlphaBar(t / (double) steps, s);
            double a1 = cosineAlphaBar((t + 1) / (double) steps, s);
            b[t] = Math.min(1 - a1 / a0, 0.999);
        }
        return new NoiseSchedule("cosine", b);
    }

    /** f(u) = cos((u + s) / (1 + s) * pi/2)^2 at u = t / T (the ratio f(u)/f(0) cancels in the betas). */
    private static double cosineAlphaBar(double u, double s) {
        double c = Math.cos((u + s) / (1 + s) * Math.PI / 2);
        return c * c;
    }

    /** The schedule named "linear" or "cosine" over {@code steps} steps. */
    public static NoiseSchedule of(String kind, int steps) {
        return switch (kind) {
            case "linear" -> linear(steps);
            case "cosine" -> cosine(steps);
            default ->
                throw new IllegalArgumentException("NoiseSchedule: unknown schedule '" + kind + "'; linear or cosine");
        };
    }

    private static void checkSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("NoiseSchedule: the number of steps must be at least 1, got " + steps);
        }
    }

    public String kind() {
        return kind;
    }

    /** T. */
    public int steps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[check(t)];
    }

    public double alpha(int t) {
        return alphas[check(t)];
    }

    /** abar_t; abar_{-1} = 1 (no noise), which the samplers use at their last step. */
    public double alphaBar(int t) {
        return t == -1 ? 1.0 : alphaBars[check(t)];
    }

    /**
     * The variance of the posterior q(x_{t-1} | x_t, x_0): beta_tilde_t = beta_t (1 - abar_{t-1}) / (1 - abar_t),
     * 0 at t = 0.
     */
    public double posteriorVariance(int t) {
        return betas[check(t)] * (1 - alphaBar(t - 1)) / (1 - alphaBars[t]);
    }

    public double[] betas() {
        return betas.clone();
    }

    public double[] alphas() {
        return alphas.clone();
    }

    public double[] alphaBars() {
        return alphaBars.clone();
    }

    private int check(int t) {
        if (t < 0 || t >= betas.length) {
            throw new IllegalArgumentException(
                    "NoiseSchedule: timestep " + t + " is outside [0, " + betas.length + ")");
        }
        return t;
    }

    /**
     * x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, per image.
     *
     * @param x0  clean images (B, ...)
     * @param t   int64 timesteps (B), each in [0, T)
     * @param eps noise of x0's shape
     */
    public Tensor qSample(Tensor x0, Tensor t, Tensor eps) {
        if (!Arrays.equals(x0.shape(), eps.shape())) {
            throw new IllegalArgumentException("qSample: x0 " + Arrays.toString(x0.shape()) + " and eps "
                    + Arrays.toString(eps.shape()) + " differ in shape");
        }
        long[] ts = timesteps(t, x0.shape()[0]);
        float[] a = new float[ts.length];
        float[] b = new float[ts.length];
        for (int i = 0; i < ts.length; i++) {
            double abar = alphaBars[(int) ts[i]];
            a[i] = (float) Math.sqrt(abar);
            b[i] = (float) Math.sqrt(1 - abar);
        }
        return x0.mul(perImage(a, x0.dim())).add(eps.mul(perImage(b, x0.dim())));
    }

    /** The timesteps of a batch as longs, checked: int64 (B), each in [0, T). */
    long[] timesteps(Tensor t, int batch) {
        if (t.dim() != 1 || t.shape()[0] != batch || t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("NoiseSchedule: expected int64 timesteps of shape [" + batch + "], got "
                    + t.dtype() + " " + Arrays.toString(t.shape()));
        }
        long[] ts = t.toLongArray();
        for (long v : ts) {
            if (v < 0 || v >= betas.length) {
                throw new IllegalArgumentException(
                        "NoiseSchedule: timestep " + v + " is outside [0, " + betas.length + ")");
            }
        }
        return ts;
    }

    /** Per-image coefficients (B) as a (B, 1, ..., 1) tensor of rank dims, to broadcast over an image batch. */
    static Tensor perImage(float[] c, int dims) {
        int[] shape = new int[dims];
        Arrays.fill(shape, 1);
        shape[0] = c.length;
        return Torch.tensor(c, shape);
    }

    @Override
    public String toString() {
        return kind + "(" + betas.length + ")";
    }
}
