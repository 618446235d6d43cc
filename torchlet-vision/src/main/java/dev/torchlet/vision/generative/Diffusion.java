package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import java.util.Arrays;
import java.util.List;

/**
 * Denoising diffusion (DDPM, Ho et al. 2020) with an epsilon-predicting {@link UNet}: the training loss, the
 * DDPM ancestral sampler, the DDIM sampler (Song et al. 2021) with fewer steps, and classifier-free guidance
 * (Ho and Salimans 2021). Images are in [-1, 1]. Notation of {@link NoiseSchedule}: beta_t, alpha_t, abar_t.
 *
 * <pre>
 * loss      t ~ U{0..T-1}, eps ~ N(0, I), x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps,
 *           L = MSE(model(x_t, t[, y]), eps); conditional: y replaced by the null class with probability pUncond
 * DDPM      x_{t-1} = 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - abar_t) eps) + sigma_t z,  z ~ N(0, I), none at t = 0;
 *           sigma_t^2 = beta_tilde_t = beta_t (1 - abar_{t-1}) / (1 - abar_t) (default) or beta_t
 * DDIM      x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t),
 *           sigma = eta sqrt((1 - abar_s) / (1 - abar_t)) sqrt(1 - abar_t / abar_s),
 *           x_s = sqrt(abar_s) x0 + sqrt(1 - abar_s - sigma^2) eps + sigma z   (s the previous step, abar_{-1} = 1)
 * guidance  eps = eps(x, t, null) + w (eps(x, t, y) - eps(x, t, null)),  w >= 0 (0: unconditional, 1: conditional)
 * </pre>
 *
 * The samplers optionally clip the predicted x0 to [-1, 1] (then eps is recomputed from the clipped x0) as
 * the DDPM and DDIM reference code do; the single steps without clipping are the formulas above exactly.
 */
public final class Diffusion {
    /** Probability of dropping the label in conditional training (classifier-free guidance). */
    public static final double DEFAULT_P_UNCOND = 0.1;

    /** The variance of the DDPM ancestral step. */
    public enum Variance {
        /** beta_tilde_t, the posterior's (the better choice for x_0 ~ one point; DDPM paper's sigma^2 lower bound). */
        BETA_TILDE,
        /** beta_t (the DDPM paper's upper bound). */
        BETA
    }

    /**
     * How to sample.
     *
     * @param steps    DDIM steps in [1, T] (the DDPM sampler always takes all T)
     * @param eta      DDIM stochasticity: 0 deterministic, 1 the DDPM posterior's variance
     * @param guidance classifier-free guidance weight w >= 0 (for conditional models)
     * @param clip     clip the predicted x0 to [-1, 1] at each step
     */
    public record Sampling(int steps, double eta, double guidance, boolean clip) {
        public Sampling {
            if (!(guidance >= 0) || Double.isInfinite(guidance)) {
                throw new IllegalArgumentException("diffusion: guidance must be a number >= 0, got " + guidance);
            }
            if (!(eta >= 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("diffusion: eta must be a number >= 0, got " + eta);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("diffusion: steps must be at least 1, got " + steps);
            }
        }

        /** Deterministic DDIM, guidance w, clipped x0. */
        public static Sampling ddim(int steps, double guidance) {
            return new Sampling(steps, 0, guidance, true);
        }
    }

    private final NoiseSchedule schedule;

    public Diffusion(NoiseSchedule schedule) {
        this.schedule = schedule;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** T. */
    public int steps() {
        return schedule.steps();
    }

    // ---------------------------------------------------------------- training

    /** The unconditional loss MSE(model(x_t, t), eps) of clean images x0 (B, C, H, W) in [-1, 1]. */
    public Tensor loss(UNet model, Tensor x0) {
        return loss(model, x0, null, 0);
    }

    /**
     * The loss of a batch: t uniform in [0, T), eps ~ N(0, I) from the global generator. For a conditional model
     * labels (B) are required and each is replaced by the null class with probability pUncond.
     */
    public Tensor loss(UNet model, Tensor x0, Tensor labels, double pUncond) {
        int b = x0.shape()[0];
        Tensor t = Torch.randint(0, steps(), b);
        Tensor eps = Torch.randnLike(x0);
        Tensor xt = schedule.qSample(x0, t, eps);
        Tensor y = labels == null ? null : dropLabels(labels, pUncond, model.nullClass());
        return F.mseLoss(model.call(xt, t, y), eps);
    }

    /** Labels with each replaced by nullClass with probability p (one uniform draw per label). */
    public static Tensor dropLabels(Tensor labels, double p, int nullClass) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("diffusion: the label drop probability must be in [0, 1], got " + p);
        }
        long[] y = labels.toLongArray();
        float[] u = Torch.rand(y.length).toFloatArray();
        for (int i = 0; i < y.length; i++) {
            if (u[i] < p) {
                y[i] = nullClass;
            }
        }
        return Torch.tensor(y, y.length);
    }

    // ---------------------------------------------------------------- single steps

    /** Classifier-free guidance: eps_uncond + w (eps_cond - eps_uncond), w >= 0. */
    public static Tensor guide(Tensor epsUncond, Tensor epsCond, double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException("diffusion: guidance must be a number >= 0, got " + w);
        }
        return epsUncond.add(epsCond.sub(epsUncond).mul((float) w));
    }

    /** One DDPM ancestral step x_t -> x_{t-1} of the predicted noise eps and fresh noise z (unused at t = 0). */
    public Tensor ddpmStep(Tensor xt, int t, Tensor eps, Tensor z, Variance variance) {
        double beta = schedule.beta(t);
        double abar = schedule.alphaBar(t);
        Tensor mean = xt.sub(eps.mul((float) (beta / Math.sqrt(1 - abar)))).mul((float) (1 / Math.sqrt(1 - beta)));
        return addNoise(mean, t, z, variance);
    }

    private Tensor addNoise(Tensor mean, int t, Tensor z, Variance variance) {
        if (t == 0) {
            return mean;
        }
        double var = variance == Variance.BETA ? schedule.beta(t) : schedule.posteriorVariance(t);
        return mean.add(z.mul((float) Math.sqrt(var)));
    }

    /** x0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t). */
    public Tensor predictX0(Tensor xt, int t, Tensor eps) {
        double abar = schedule.alphaBar(t);
        return xt.sub(eps.mul((float) Math.sqrt(1 - abar))).div((float) Math.sqrt(abar));
    }

    /** One DDIM step x_t -> x_tPrev (tPrev = -1: the clean image) with stochasticity eta and noise z. */
    public Tensor ddimStep(Tensor xt, int t, int tPrev, Tensor eps, double eta, Tensor z) {
        return ddimStep(xt, t, tPrev, eps, eta, z, false);
    }

    private Tensor ddimStep(Tensor xt, int t, int tPrev, Tensor eps, double eta, Tensor z, boolean clip) {
        if (tPrev >= t || tPrev < -1) {
            throw new IllegalArgumentException("DDIM: the previous step must be in [-1, " + t + "), got " + tPrev);
        }
        double abar = schedule.alphaBar(t);
        double abarPrev = schedule.alphaBar(tPrev);
        Tensor x0 = predictX0(xt, t, eps);
        if (clip) {
            x0 = x0.clamp(-1f, 1f);
            eps = xt.sub(x0.mul((float) Math.sqrt(abar))).div((float) Math.sqrt(1 - abar));
        }
        double sigma = eta * Math.sqrt((1 - abarPrev) / (1 - abar)) * Math.sqrt(1 - abar / abarPrev);
        Tensor x = x0.mul((float) Math.sqrt(abarPrev)).add(eps.mul((float)
                Math.sqrt(Math.max(0, 1 - abarPrev - sigma * sigma))));
        return sigma > 0 ? x.add(z.mul((float) sigma)) : x;
    }

    /** The DDIM timesteps, high to low: floor(i T / steps) for i = steps-1 .. 0 (all T when steps = T). */
    public static int[] ddimTimesteps(int totalSteps, int steps) {
        checkSteps(totalSteps, steps);
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[steps - 1 - i] = (int) ((long) i * totalSteps / steps);
        }
        return ts;
    }

    private static void checkSteps(int totalSteps, int steps) {
        if (steps < 1 || steps > totalSteps) {
            throw new IllegalArgumentException(
                    "diffusion: sampling steps must be in [1, " + totalSteps + "] (the schedule's T), got " + steps);
        }
    }

    // ---------------------------------------------------------------- samplers

    /**
     * The model's noise prediction at step t for the batch x_t; for a conditional model with guidance w, one
     * forward of the doubled batch [x_t with labels; x_t with the null class] combined by {@link #guide}.
     * labels null on a conditional model: the unconditional (null-class) prediction.
     */
    public Tensor predictEps(UNet model, Tensor xt, int t, Tensor labels, double guidance) {
        int n = xt.shape()[0];
        long[] tv = new long[n];
        Arrays.fill(tv, t);
        Tensor ts = Torch.tensor(tv, n);
        if (!model.conditional()) {
            if (labels != null) {
                throw new IllegalArgumentException("diffusion: the model is unconditional; got class labels");
            }
            return model.call(xt, ts);
        }
        long[] nv = new long[n];
        Arrays.fill(nv, model.nullClass());
        Tensor nulls = Torch.tensor(nv, n);
        if (labels == null || guidance == 0) {
            return model.call(xt, ts, nulls);
        }
        if (guidance == 1) {
            return model.call(xt, ts, labels);
        }
        Tensor both = model.call(
                Torch.cat(List.of(xt, xt), 0), Torch.cat(List.of(ts, ts), 0), Torch.cat(List.of(labels, nulls), 0));
        return guide(both.narrow(0, n, n), both.narrow(0, 0, n), guidance);
    }

    /**
     * DDIM sampling of n images (C, size, size) from x_T ~ N(0, I) (eta > 0 draws fresh noise each step), in eval
     * mode without a graph. labels: null or int64 (n) for a conditional model. Returns x_0 in [-1, 1].
     */
    public Tensor sampleDdim(UNet model, int n, int size, Tensor labels, Sampling s) {
        return sampleDdim(model, startNoise(model, n, size), labels, s);
    }

    /** DDIM sampling from the given x_T (n, C, H, W): with eta = 0 the same x_T gives the same images. */
    public Tensor sampleDdim(UNet model, Tensor xT, Tensor labels, Sampling s) {
        return run(model, xT, labels, s, ddimTimesteps(steps(), s.steps()));
    }

    /** DDPM ancestral sampling over all T steps (variance beta_tilde), with s's guidance and clipping. */
    public Tensor sampleDdpm(UNet model, int n, int size, Tensor labels, Sampling s) {
        return run(model, startNoise(model, n, size), labels, s, null);
    }

    private static Tensor startNoise(UNet model, int n, int size) {
        if (n < 1) {
            throw new IllegalArgumentException("diffusion: the number of samples must be at least 1, got " + n);
        }
        return Torch.randn(n, model.inChannels(), size, size);
    }

    private Tensor run(UNet model, Tensor xT, Tensor labels, Sampling s, int[] ddim) {
        boolean training = model.isTraining();
        model.eval();
        try (var g = Torch.noGrad()) {
            Tensor x = xT;
            if (ddim == null) {
                for (int t = steps() - 1; t >= 0; t--) {
                    Tensor eps = predictEps(model, x, t, labels, s.guidance());
                    if (s.clip()) {
                        // posterior mean of the clipped x0: coef1 x0 + coef2 x_t
                        Tensor x0 = predictX0(x, t, eps).clamp(-1f, 1f);
                        double beta = schedule.beta(t);
                        double abar = schedule.alphaBar(t);
                        double abarPrev = schedule.alphaBar(t - 1);
                        Tensor mean = x0.mul((float) (Math.sqrt(abarPrev) * beta / (1 - abar)))
                                .add(x.mul((float) (Math.sqrt(1 - beta) * (1 - abarPrev) / (1 - abar))));
                        x = addNoise(mean, t, t > 0 ? Torch.randnLike(x) : null, Variance.BETA_TILDE);
                    } else {
                        x = ddpmStep(x, t, eps, t > 0 ? Torch.randnLike(x) : null, Variance.BETA_TILDE);
                    }
                }
            } else {
                for (int i = 0; i < ddim.length; i++) {
                    int t = ddim[i];
                    int prev = i + 1 < ddim.length ? ddim[i + 1] : -1;
                    Tensor eps = predictEps(model, x, t, labels, s.guidance());
                    Tensor z = s.eta() > 0 ? Torch.randnLike(x) : null;
                    x = ddimStep(x, t, prev, eps, s.eta(), z, s.clip());
                }
            }
            return x.clamp(-1f, 1f);
        } finally {
            model.train(training);
        }
    }
}
