package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import java.util.Arrays;

/**
 * Spectral normalization of a layer's weight, as the classic {@code torch.nn.utils.spectral_norm}
 * (PyTorch 1.13): the weight divided by an estimate of its largest singular value sigma, kept up to
 * date by power iteration. Applying it re-registers the parameter {@code weight} as
 * {@code weight_orig} and adds buffers {@code weight_u} (size(dim)) and {@code weight_v} (the other
 * sizes multiplied), all with PyTorch's state-dict names, so checkpoints load either way. Before each
 * call of the module, a forward pre-hook computes {@code weight = weight_orig / sigma},
 * sigma = u . (W v) with W the weight as a matrix (size(dim), rest); in training mode it first runs
 * {@code nPowerIterations} steps v = normalize(W^T u), u = normalize(W v) (no gradient, buffers updated
 * in place); in eval mode u and v stay as they are. The layer's {@code weight()} returns the normalized
 * weight (before the first call: the one computed from the initial u and v, without an update).
 * <pre>
 *   Conv2d d = SpectralNorm.apply(new Conv2d(3, 64, 4, 2, 1));   // a discriminator layer
 * </pre>
 */
public final class SpectralNorm {
    private SpectralNorm() {}

    /** Normalizes {@code weight} with one power iteration per call, eps 1e-12, PyTorch's default dim. */
    public static <M extends Module> M apply(M module) {
        return apply(module, "weight", 1, 1e-12, defaultDim(module));
    }

    /**
     * @param name             the parameter to normalize
     * @param nPowerIterations power-iteration steps per training call, &gt;= 1
     * @param eps              the norm floor in normalize
     * @param dim              the dimension of the output channels: 0, or 1 for transposed convolutions
     *                         (see {@link #defaultDim(Module)})
     */
    public static <M extends Module> M apply(M module, String name, int nPowerIterations, double eps, int dim) {
        String what = "SpectralNorm(" + module.getClass().getSimpleName() + "." + name + ")";
        if (nPowerIterations < 1) {
            throw new IllegalArgumentException(what + ": expected nPowerIterations >= 1, got " + nPowerIterations);
        }
        if (module.parameter(name + "_orig") != null) {
            throw new IllegalStateException(what + ": spectral norm is already applied");
        }
        Tensor w = module.parameter(name);
        if (w == null) {
            throw new IllegalArgumentException(what + ": the module has no parameter '" + name + "'");
        }
        int[] s = w.shape();
        if (dim < 0 || dim >= s.length) {
            throw new IllegalArgumentException(
                    what + ": dim " + dim + " out of range for weight " + Arrays.toString(s));
        }
        int h = s[dim];
        int cols = w.numel() / h;
        Tensor u;
        Tensor v;
        Tensor initial;
        try (var g = Torch.noGrad()) {
            u = F.normalize(Torch.randn(h).to(w.dtype()), 2, 0, eps);
            v = F.normalize(Torch.randn(cols).to(w.dtype()), 2, 0, eps);
            initial = F.spectralNorm(w, u, v, dim, nPowerIterations, eps, false);
        }
        module.reparametrize(name, "_orig", initial);
        module.registerBuffer(name + "_u", u);
        module.registerBuffer(name + "_v", v);
        module.registerForwardPreHook((m, input) -> {
            m.setComputed(
                    name,
                    F.spectralNorm(
                            m.parameter(name + "_orig"),
                            m.buffer(name + "_u"),
                            m.buffer(name + "_v"),
                            dim,
                            nPowerIterations,
                            eps,
                            m.isTraining()));
            return null;
        });
        return module;
    }

    /** PyTorch's default dim: 1 for transposed convolutions (weight (Cin, Cout/groups, ...)), else 0. */
    public static int defaultDim(Module module) {
        return module instanceof ConvTranspose2d ? 1 : 0;
    }
}
