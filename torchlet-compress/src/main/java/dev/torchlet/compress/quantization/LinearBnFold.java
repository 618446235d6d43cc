package dev.torchlet.compress.quantization;

import dev.torchlet.Torch;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.Linear;

/**
 * Folds an eval-mode BatchNorm1d into the Linear before it (PyTorch's {@code fuse_linear_bn_eval}):
 * {@code s = gamma / sqrt(var + eps)}, {@code W' = W * s} (per output row), {@code b' = (b - mean) * s + beta}.
 */
final class LinearBnFold {
    private LinearBnFold() {}

    static Linear fold(Linear lin, BatchNorm1d bn) {
        int out = lin.outFeatures();
        if (bn.options().numFeatures() != out) {
            throw new IllegalArgumentException("fuse Linear+BatchNorm1d: batch norm has "
                    + bn.options().numFeatures() + " features, the Linear " + out + " outputs");
        }
        float[] w = lin.weight().toFloatArray();
        float[] b = lin.bias() == null ? new float[out] : lin.bias().toFloatArray();
        float[] mean = bn.buffer("running_mean").toFloatArray();
        float[] var = bn.buffer("running_var").toFloatArray();
        float[] gamma = bn.weight() == null ? null : bn.weight().toFloatArray();
        float[] beta = bn.bias() == null ? null : bn.bias().toFloatArray();
        float eps = (float) bn.options().eps();
        int in = lin.inFeatures();
        float[] fw = new float[w.length];
        float[] fb = new float[out];
        for (int o = 0; o < out; o++) {
            float s = (gamma == null ? 1f : gamma[o]) * (float) (1.0 / Math.sqrt(var[o] + eps));
            for (int i = 0; i < in; i++) {
                fw[o * in + i] = w[o * in + i] * s;
            }
            fb[o] = (b[o] - mean[o]) * s + (beta == null ? 0f : beta[o]);
        }
        Linear fused = new Linear(in, out, true);
        try (var g = Torch.noGrad()) {
            fused.weight().copyFrom(Torch.tensor(fw, out, in));
            fused.bias().copyFrom(Torch.tensor(fb, out));
        }
        return fused;
    }

    static Linear copy(Linear lin) {
        Linear c = new Linear(lin.inFeatures(), lin.outFeatures(), lin.bias() != null);
        c.loadStateDict(lin.stateDict());
        return c;
    }
}
