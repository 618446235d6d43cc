package dev.torchlet.nn.functional;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Arrays;
import java.util.List;

/**
 * The composite functions behind F's generative building blocks (pixel shuffle, instance norm,
 * normalize, spectral norm, timestep embeddings), written in tensor ops so autograd derives their
 * backward. Package-private: users call them through {@link F}.
 */
final class GenerativeFunctions {
    private GenerativeFunctions() {}

    static Tensor pixelShuffle(Tensor x, int r) {
        int[] s = checkImageLike("pixel_shuffle", x, r, "upscale_factor");
        int d = s.length;
        int c = s[d - 3];
        if (c % (r * r) != 0) {
            throw new IllegalArgumentException("pixel_shuffle: channels " + c + " of input " + Shape.str(s)
                    + " must be divisible by upscale_factor^2 = " + r * r);
        }
        int oc = c / (r * r);
        int h = s[d - 2];
        int w = s[d - 1];
        // (*, oc, r, r, H, W) -> (*, oc, H, r, W, r) -> (*, oc, H r, W r)
        Tensor t = x.reshape(withTail(s, d - 3, oc, r, r, h, w));
        int b = d - 3;
        return t.permute(batchThen(b, b, b + 3, b + 1, b + 4, b + 2)).reshape(withTail(s, d - 3, oc, h * r, w * r));
    }

    static Tensor pixelUnshuffle(Tensor x, int r) {
        int[] s = checkImageLike("pixel_unshuffle", x, r, "downscale_factor");
        int d = s.length;
        int c = s[d - 3];
        int h = s[d - 2];
        int w = s[d - 1];
        if (h % r != 0 || w % r != 0) {
            throw new IllegalArgumentException("pixel_unshuffle: height " + h + " and width " + w + " of input "
                    + Shape.str(s) + " must be divisible by downscale_factor " + r);
        }
        // (*, C, H/r, r, W/r, r) -> (*, C, r, r, H/r, W/r) -> (*, C r r, H/r, W/r)
        Tensor t = x.reshape(withTail(s, d - 3, c, h / r, r, w / r, r));
        int b = d - 3;
        return t.permute(batchThen(b, b, b + 2, b + 4, b + 1, b + 3))
                .reshape(withTail(s, d - 3, c * r * r, h / r, w / r));
    }

    private static int[] checkImageLike(String op, Tensor x, int factor, String what) {
        int[] s = x.shape();
        if (s.length < 3) {
            throw new IllegalArgumentException(
                    op + ": expected an input of at least 3 dims (*, C, H, W), got " + Shape.str(s));
        }
        if (factor < 1) {
            throw new IllegalArgumentException(op + ": " + what + " must be >= 1, got " + factor);
        }
        return s;
    }

    /** The first {@code keep} sizes of s followed by tail. */
    private static int[] withTail(int[] s, int keep, int... tail) {
        int[] out = Arrays.copyOf(s, keep + tail.length);
        System.arraycopy(tail, 0, out, keep, tail.length);
        return out;
    }

    /** Permutation: batch dims 0..b-1 in place, then the given dims. */
    private static int[] batchThen(int b, int... dims) {
        int[] out = new int[b + dims.length];
        for (int i = 0; i < b; i++) {
            out[i] = i;
        }
        System.arraycopy(dims, 0, out, b, dims.length);
        return out;
    }

    static Tensor instanceNorm(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor weight,
            Tensor bias,
            boolean useInputStats,
            double momentum,
            double eps) {
        String op = "instance_norm";
        int[] s = x.shape();
        if (s.length < 3) {
            throw new IllegalArgumentException(
                    op + ": expected an input (N, C, *spatial) of at least 3 dims, got " + Shape.str(s));
        }
        int n = s[0];
        int c = s[1];
        if (useInputStats && Shape.numel(s) / Math.max(1, n * c) <= 1) {
            throw new IllegalArgumentException(
                    op + ": expected more than 1 spatial element when training, got input size " + Shape.str(s));
        }
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(
                    op + ": running_mean and running_var must both be given or both be null");
        }
        if (!useInputStats && runningMean == null) {
            throw new IllegalArgumentException(op + ": useInputStats=false needs running_mean and running_var");
        }
        // PyTorch's formulation: batch norm of (1, N*C, *spatial) with weight, bias and running
        // statistics repeated N times; the updated running statistics are averaged back over N.
        int[] flat = s.clone();
        flat[0] = 1;
        flat[1] = n * c;
        Tensor xr = x.reshape(flat);
        Tensor rm = repeated(runningMean, n, c);
        Tensor rv = repeated(runningVar, n, c);
        Tensor y = F.batchNorm(
                xr, rm, rv, repeatedParam(weight, n, c), repeatedParam(bias, n, c), useInputStats, momentum, eps);
        if (runningMean != null && useInputStats) {
            try (var g = Torch.noGrad()) {
                runningMean.copyFrom(rm.reshape(n, c).mean(0, false));
                runningVar.copyFrom(rv.reshape(n, c).mean(0, false));
            }
        }
        return y.reshape(s);
    }

    private static Tensor repeated(Tensor stat, int n, int c) {
        if (stat == null) {
            return null;
        }
        checkVector(stat, c, "running statistics");
        return stat.detach().unsqueeze(0).expand(n, c).contiguousCopy().reshape(n * c);
    }

    private static Tensor repeatedParam(Tensor p, int n, int c) {
        if (p == null) {
            return null;
        }
        checkVector(p, c, "weight/bias");
        return p.unsqueeze(0).expand(n, c).reshape(n * c);
    }

    private static void checkVector(Tensor t, int c, String what) {
        if (t.dim() != 1 || t.size(0) != c) {
            throw new IllegalArgumentException(
                    "instance_norm: expected " + what + " of shape [" + c + "], got " + Shape.str(t.shape()));
        }
    }

    static Tensor normalize(Tensor x, double p, int dim, double eps) {
        return x.div(x.norm((float) p, dim, true).clampMin((float) eps));
    }

    static Tensor spectralNorm(
            Tensor weight, Tensor u, Tensor v, int dim, int nPowerIterations, double eps, boolean update) {
        String op = "spectral_norm";
        int[] s = weight.shape();
        if (s.length < 1 || dim < 0 || dim >= s.length) {
            throw new IllegalArgumentException(op + ": dim " + dim + " out of range for weight " + Shape.str(s));
        }
        if (nPowerIterations < 0) {
            throw new IllegalArgumentException(op + ": nPowerIterations must be >= 0, got " + nPowerIterations);
        }
        int h = s[dim];
        int cols = Shape.numel(s) / Math.max(1, h);
        if (u.dim() != 1 || u.size(0) != h || v.dim() != 1 || v.size(0) != cols) {
            throw new IllegalArgumentException(
                    op + ": expected u [" + h + "] and v [" + cols + "] for weight " + Shape.str(s) + " (dim " + dim
                            + "), got " + Shape.str(u.shape()) + " and " + Shape.str(v.shape()));
        }
        // the weight as a matrix (h, cols): dim moved to the front, the rest flattened
        Tensor wm = weight;
        if (dim != 0) {
            int[] perm = new int[s.length];
            perm[0] = dim;
            for (int i = 0, k = 1; i < s.length; i++) {
                if (i != dim) {
                    perm[k++] = i;
                }
            }
            wm = weight.permute(perm);
        }
        wm = wm.reshape(h, cols);
        if (update && nPowerIterations > 0) {
            try (var g = Torch.noGrad()) {
                Tensor wd = wm.detach();
                Tensor uu = u;
                Tensor vv = v;
                for (int i = 0; i < nPowerIterations; i++) {
                    vv = normalize(wd.t().matmul(uu.reshape(h, 1)).reshape(cols), 2, 0, eps);
                    uu = normalize(wd.matmul(vv.reshape(cols, 1)).reshape(h), 2, 0, eps);
                }
                v.copyFrom(vv);
                u.copyFrom(uu);
            }
        }
        Tensor ud = u.detach();
        Tensor vd = v.detach();
        Tensor sigma = ud.reshape(1, h).matmul(wm.matmul(vd.reshape(cols, 1))).reshape(1); // u . (W v)
        return weight.div(sigma);
    }

    static Tensor timestepEmbedding(
            Tensor t, int dim, boolean flipSinToCos, double downscaleFreqShift, double scale, double maxPeriod) {
        String op = "timestep_embedding";
        if (t.dim() != 1) {
            throw new IllegalArgumentException(op + ": expected timesteps of shape (N), got " + Shape.str(t.shape()));
        }
        if (dim < 1) {
            throw new IllegalArgumentException(op + ": embedding dim must be >= 1, got " + dim);
        }
        int half = dim / 2;
        if (half > 0 && half - downscaleFreqShift == 0) {
            throw new IllegalArgumentException(op + ": dim " + dim + " with downscaleFreqShift " + downscaleFreqShift
                    + " divides by zero (dim/2 - shift = 0); use dim >= 4 or shift 0");
        }
        if (!(maxPeriod > 0)) {
            throw new IllegalArgumentException(op + ": maxPeriod must be > 0, got " + maxPeriod);
        }
        int n = t.size(0);
        // float32 steps in diffusers' order: exponent_i = (-ln(maxPeriod) * i) / (half - shift), freq = exp
        float[] freq = new float[half];
        float negLog = (float) -Math.log(maxPeriod);
        float denom = (float) (half - downscaleFreqShift);
        for (int i = 0; i < half; i++) {
            freq[i] = (float) Math.exp((negLog * i) / denom);
        }
        Tensor arg = t.to(DType.FLOAT32).reshape(n, 1).mul(Torch.tensor(freq, 1, half));
        if (scale != 1) {
            arg = arg.mul((float) scale);
        }
        Tensor sin = arg.sin();
        Tensor cos = arg.cos();
        Tensor emb = Torch.cat(flipSinToCos ? List.of(cos, sin) : List.of(sin, cos), 1);
        if (dim % 2 == 1) {
            emb = Torch.cat(List.of(emb, Torch.zeros(n, 1)), 1);
        }
        return emb;
    }
}
