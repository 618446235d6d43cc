package dev.torchlet.nn.utils.prune;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Pruning by masks, as PyTorch's {@code torch.nn.utils.prune} (1.13). Pruning parameter {@code weight}
 * of a module re-registers it as the parameter {@code weight_orig} and adds the buffer
 * {@code weight_mask} (0 = pruned), with PyTorch's state-dict names and order, so pruned state dicts
 * load either way; before every call the module's {@code weight} is set to
 * {@code weight_orig * weight_mask}, so the forward uses the masked weight and gradients reach
 * {@code weight_orig} (zero where masked). Pruning a pruned parameter again composes the masks as
 * PyTorch's {@code PruningContainer}: the amount applies to the entries (or, structured, the channels)
 * still unpruned, and the importance is the current masked weight. {@link #remove} makes the pruning
 * permanent ({@code weight} a plain parameter again, holding the zeros).
 *
 * <p>{@code amount} is a fraction in [0, 1] of the unpruned entries (a {@code double}, rounded half
 * to even like Python's {@code round}) or an absolute count (an {@code int}), as in PyTorch.
 * Ties in the importance are broken by the lower flat index first; PyTorch's {@code topk} leaves them
 * unspecified.
 * <pre>
 *   Prune.l1Unstructured(conv, "weight", 0.3);          // 30% smallest |w|
 *   Prune.lnStructured(conv, "weight", 0.5, 2, 0);       // half the filters by L2 norm
 *   Prune.remove(conv, "weight");                        // make it permanent
 * </pre>
 */
public final class Prune {
    private Prune() {}

    /** The unstructured methods {@link #globalUnstructured} can use. */
    public enum Method {
        L1_UNSTRUCTURED,
        RANDOM_UNSTRUCTURED
    }

    /** A parameter of a module, for {@link #globalUnstructured}. */
    public record Target(Module module, String name) {}

    public static final String ORIG = "_orig";
    public static final String MASK = "_mask";

    // ---------------------------------------------------------------- unstructured

    /** Prunes {@code amount} of the unpruned entries at random (the global seedable generator). */
    public static <M extends Module> M randomUnstructured(M module, String name, double amount) {
        return randomUnstructured(module, name, Amount.fraction(amount));
    }

    public static <M extends Module> M randomUnstructured(M module, String name, int amount) {
        return randomUnstructured(module, name, Amount.count(amount));
    }

    public static <M extends Module> M randomUnstructured(M module, String name, Amount amount) {
        apply(module, name, (w, mask, shape) -> unstructured(Method.RANDOM_UNSTRUCTURED, w, mask, amount));
        return module;
    }

    /** Prunes {@code amount} of the unpruned entries with the smallest absolute value. */
    public static <M extends Module> M l1Unstructured(M module, String name, double amount) {
        return l1Unstructured(module, name, Amount.fraction(amount));
    }

    public static <M extends Module> M l1Unstructured(M module, String name, int amount) {
        return l1Unstructured(module, name, Amount.count(amount));
    }

    public static <M extends Module> M l1Unstructured(M module, String name, Amount amount) {
        apply(module, name, (w, mask, shape) -> unstructured(Method.L1_UNSTRUCTURED, w, mask, amount));
        return module;
    }

    // ---------------------------------------------------------------- structured

    /**
     * Prunes {@code amount} of the unpruned slices along {@code dim} (0 = a convolution's output
     * channels / filters, a linear layer's output features) with the smallest L{@code n} norm
     * ({@code n} &gt; 0, or {@code Double.POSITIVE_INFINITY}); a slice counts as unpruned while any of its
     * entries is.
     */
    public static <M extends Module> M lnStructured(M module, String name, double amount, double n, int dim) {
        return lnStructured(module, name, Amount.fraction(amount), n, dim);
    }

    public static <M extends Module> M lnStructured(M module, String name, int amount, double n, int dim) {
        return lnStructured(module, name, Amount.count(amount), n, dim);
    }

    public static <M extends Module> M lnStructured(M module, String name, Amount amount, double n, int dim) {
        if (!(n > 0)) {
            throw new IllegalArgumentException("lnStructured: norm order n must be > 0 (or infinity), got " + n);
        }
        apply(module, name, (w, mask, shape) -> {
            int d = dim < 0 ? dim + shape.length : dim;
            if (d < 0 || d >= shape.length) {
                throw new IllegalArgumentException("lnStructured: dim " + dim + " out of range for "
                        + module.getClass().getSimpleName() + "." + name + " of shape " + Arrays.toString(shape));
            }
            return lnStructuredMask(w, mask, shape, d, amount, n);
        });
        return module;
    }

    // ---------------------------------------------------------------- global and custom

    /**
     * Prunes {@code amount} of the unpruned entries of all the given parameters taken together (their
     * masked values concatenated), as PyTorch's {@code global_unstructured}; each parameter then gets
     * its share of the mask.
     */
    public static void globalUnstructured(List<Target> targets, Method method, double amount) {
        globalUnstructured(targets, method, Amount.fraction(amount));
    }

    public static void globalUnstructured(List<Target> targets, Method method, int amount) {
        globalUnstructured(targets, method, Amount.count(amount));
    }

    public static void globalUnstructured(List<Target> targets, Method method, Amount amount) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("globalUnstructured: no parameters given");
        }
        List<float[]> weights = new ArrayList<>();
        List<float[]> masks = new ArrayList<>();
        int total = 0;
        for (Target t : targets) {
            Tensor w = effective(t.module(), t.name());
            weights.add(w.toFloatArray());
            masks.add(currentMask(t.module(), t.name(), w));
            total += w.numel();
        }
        float[] allW = new float[total];
        float[] allM = new float[total];
        int at = 0;
        for (int i = 0; i < weights.size(); i++) {
            System.arraycopy(weights.get(i), 0, allW, at, weights.get(i).length);
            System.arraycopy(masks.get(i), 0, allM, at, masks.get(i).length);
            at += weights.get(i).length;
        }
        float[] finalMask = unstructured(method, allW, allM, amount);
        at = 0;
        for (int i = 0; i < targets.size(); i++) {
            int len = weights.get(i).length;
            float[] part = Arrays.copyOfRange(finalMask, at, at + len);
            at += len;
            apply(targets.get(i).module(), targets.get(i).name(), (w, mask, shape) -> part);
        }
    }

    /** Prunes with a given mask (1 keep, 0 prune; the parameter's shape), combined with any earlier mask. */
    public static <M extends Module> M customFromMask(M module, String name, Tensor mask) {
        float[] given = mask.toFloatArray();
        apply(module, name, (w, cur, shape) -> {
            if (!Arrays.equals(mask.shape(), shape)) {
                throw new IllegalArgumentException("customFromMask: mask shape " + Arrays.toString(mask.shape())
                        + " != parameter shape " + Arrays.toString(shape));
            }
            float[] out = new float[cur.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = cur[i] * given[i];
            }
            return out;
        });
        return module;
    }

    /** Re-parametrizes with an all-ones mask (PyTorch's {@code prune.identity}). */
    public static <M extends Module> M identity(M module, String name) {
        apply(module, name, (w, cur, shape) -> cur);
        return module;
    }

    // ---------------------------------------------------------------- remove, queries

    /**
     * Makes the pruning of {@code name} permanent: {@code name} becomes a plain parameter holding
     * {@code orig * mask} (the {@code _orig} tensor, so optimizers keep it), the mask buffer goes.
     */
    public static <M extends Module> M remove(M module, String name) {
        if (!isPruned(module, name)) {
            throw new IllegalArgumentException("prune.remove: parameter '" + name + "' of module "
                    + module.getClass().getSimpleName() + " has to be pruned before pruning can be removed");
        }
        module.removeReparametrization(name);
        return module;
    }

    /** Makes every pruning in the module tree permanent (see {@link #remove(Module, String)}). */
    public static <M extends Module> M removeAll(M model) {
        for (Module m : model.modules()) {
            for (String name : m.reparametrizedNames()) {
                if (isPruned(m, name)) {
                    remove(m, name);
                }
            }
        }
        return model;
    }

    /** Whether this module or any submodule has a pruned parameter (PyTorch's {@code prune.is_pruned}). */
    public static boolean isPruned(Module module) {
        for (Module m : module.modules()) {
            for (String name : m.reparametrizedNames()) {
                if (isPruned(m, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether parameter {@code name} of this module (not its children) is pruned. */
    public static boolean isPruned(Module module, String name) {
        return module.isReparametrized(name) && module.buffer(name + MASK) != null;
    }

    /** The mask of a pruned parameter (the {@code name_mask} buffer), or null when it is not pruned. */
    public static Tensor mask(Module module, String name) {
        return isPruned(module, name) ? module.buffer(name + MASK) : null;
    }

    // ---------------------------------------------------------------- machinery

    /** Computes a new full mask from the masked weight, the current mask and the shape. */
    @FunctionalInterface
    private interface MaskFunction {
        float[] compute(float[] weight, float[] mask, int[] shape);
    }

    /** The current masked value of the parameter (orig * mask when pruned), without gradient. */
    private static Tensor effective(Module module, String name) {
        try (var g = Torch.noGrad()) {
            if (isPruned(module, name)) {
                return module.recomputeReparametrization(name).detach();
            }
            if (module.isReparametrized(name) || module.parameter(name + ORIG) != null) {
                throw new IllegalStateException("prune: " + module.getClass().getSimpleName() + "." + name
                        + " is re-parametrized by another method (e.g. spectral norm); prune the plain parameter");
            }
            Tensor w = module.parameter(name);
            if (w == null) {
                throw new IllegalArgumentException(
                        "prune: " + module.getClass().getSimpleName() + " has no parameter named '" + name
                                + "' (state: " + module.stateDict().keySet() + ")");
            }
            return w.detach();
        }
    }

    private static float[] currentMask(Module module, String name, Tensor w) {
        if (isPruned(module, name)) {
            return module.buffer(name + MASK).toFloatArray();
        }
        float[] ones = new float[w.numel()];
        Arrays.fill(ones, 1f);
        return ones;
    }

    /** Computes and installs the new mask: re-parametrizes on first pruning, else updates the mask in place. */
    private static void apply(Module module, String name, MaskFunction fn) {
        Tensor w = effective(module, name);
        int[] shape = w.shape();
        float[] cur = currentMask(module, name, w);
        float[] next = fn.compute(w.toFloatArray(), cur, shape); // throws before anything changes
        Tensor mask = Torch.tensor(next, shape).to(w.dtype());
        if (isPruned(module, name)) {
            module.buffer(name + MASK).copyFrom(mask);
            try (var g = Torch.noGrad()) {
                module.recomputeReparametrization(name);
            }
        } else {
            module.reparametrize(
                    name,
                    ORIG,
                    Map.of(name + MASK, mask),
                    m -> m.parameter(name + ORIG).mul(m.buffer(name + MASK)));
        }
    }

    /** PyTorch's unstructured compute_mask inside a container: prune among the entries whose mask is 1. */
    private static float[] unstructured(Method method, float[] w, float[] mask, Amount amount) {
        int[] alive = IntStream.range(0, mask.length).filter(i -> mask[i] == 1f).toArray();
        int k = amount.toPrune(alive.length);
        float[] out = mask.clone();
        if (k == 0) {
            return out;
        }
        // sort (score, index) packed in a long: a non-negative float's bits order like the float
        long[] keyed = new long[alive.length];
        float[] r =
                method == Method.RANDOM_UNSTRUCTURED ? Torch.rand(alive.length).toFloatArray() : null;
        for (int i = 0; i < alive.length; i++) {
            // PyTorch prunes the k largest random numbers, i.e. the k smallest 1 - r
            float score = r != null ? 1f - r[i] : Math.abs(w[alive[i]]);
            keyed[i] = (long) Float.floatToIntBits(score + 0f) << 32 | i;
        }
        Arrays.sort(keyed);
        for (int i = 0; i < k; i++) {
            out[alive[(int) keyed[i]]] = 0f;
        }
        return out;
    }

    /** L_n norms of the slices along dim, from the masked weight. */
    static double[] sliceNorms(float[] w, int[] shape, int dim, double n) {
        int size = shape[dim];
        int inner = 1;
        for (int i = dim + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int outer = w.length / (size * inner);
        double[] acc = new double[size];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < size; c++) {
                int base = (o * size + c) * inner;
                for (int i = 0; i < inner; i++) {
                    double a = Math.abs(w[base + i]);
                    acc[c] = Double.isInfinite(n) ? Math.max(acc[c], a) : acc[c] + Math.pow(a, n);
                }
            }
        }
        if (!Double.isInfinite(n)) {
            for (int c = 0; c < size; c++) {
                acc[c] = Math.pow(acc[c], 1 / n);
            }
        }
        return acc;
    }

    private static float[] lnStructuredMask(float[] w, float[] mask, int[] shape, int dim, Amount amount, double n) {
        int size = shape[dim];
        int inner = 1;
        for (int i = dim + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int outer = w.length / (size * inner);
        boolean[] alive = new boolean[size];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < size; c++) {
                int base = (o * size + c) * inner;
                for (int i = 0; i < inner && !alive[c]; i++) {
                    alive[c] = mask[base + i] != 0f;
                }
            }
        }
        int[] aliveIdx = IntStream.range(0, size).filter(c -> alive[c]).toArray();
        int k = amount.toPrune(aliveIdx.length);
        float[] out = mask.clone();
        if (k == 0) {
            return out;
        }
        double[] norms = sliceNorms(w, shape, dim, n);
        Integer[] order = Arrays.stream(aliveIdx).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer c) -> norms[c]).thenComparingInt(c -> c));
        boolean[] drop = new boolean[size];
        for (int i = 0; i < k; i++) {
            drop[order[i]] = true;
        }
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < size; c++) {
                if (drop[c]) {
                    Arrays.fill(out, (o * size + c) * inner, (o * size + c + 1) * inner, 0f);
                }
            }
        }
        return out;
    }
}
