package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folding batch norm into the convolution before it, for inference, as ONNX Runtime and
 * {@code torch.jit.optimize_for_inference} do: in eval mode {@code bn(conv(x))} is one convolution
 * with rescaled weights, so the batch-norm pass over the activations disappears.
 *
 * <pre>
 *   s[o]  = gamma[o] / sqrt(running_var[o] + eps)
 *   W'[o] = W[o] * s[o]                                  (every input channel and tap of output channel o)
 *   b'[o] = (b[o] - running_mean[o]) * s[o] + beta[o]    (b = 0 for a conv without bias)
 * </pre>
 *
 * {@link #fuseConvBnEval} is PyTorch's {@code torch.nn.utils.fusion.fuse_conv_bn_eval}; {@link #fuseConvBn}
 * finds every pair in a model by running it once and rewrites the model in place; {@link #fuseForInference}
 * also fuses the ReLU or ReLU6 after a convolution into it ({@link ConvActivation2d}). The fused model is for
 * inference: the batch norms become {@link Identity} and their parameters leave the state dict.
 */
public final class Fusion {
    /** Largest |fused - original| / max|original| accepted when {@link #fuseConvBn} checks its rewrite. */
    static final double CHECK_TOLERANCE = 1e-4;

    private Fusion() {}

    /** A Conv2d with bias whose output equals {@code bn(conv(x))} for the eval-mode batch norm; inputs unchanged. */
    public static Conv2d fuseConvBnEval(Conv2d conv, BatchNorm2d bn) {
        int cout = conv.options().outChannels();
        if (bn.options().numFeatures() != cout) {
            throw new IllegalArgumentException("fuseConvBnEval: batch norm has "
                    + bn.options().numFeatures() + " features, the convolution " + cout + " output channels");
        }
        float[] w = conv.weight().toFloatArray();
        float[] b = conv.bias() == null ? new float[cout] : conv.bias().toFloatArray();
        float[] mean = bn.buffer("running_mean").toFloatArray();
        float[] var = bn.buffer("running_var").toFloatArray();
        float[] gamma = bn.weight() == null ? null : bn.weight().toFloatArray();
        float[] beta = bn.bias() == null ? null : bn.bias().toFloatArray();
        float eps = (float) bn.options().eps();
        int perChannel = w.length / cout;
        float[] fusedW = new float[w.length];
        float[] fusedB = new float[cout];
        for (int o = 0; o < cout; o++) {
            float rsqrt = (float) (1.0 / Math.sqrt(var[o] + eps)); // float32 var + eps, as PyTorch
            float scale = (gamma == null ? 1f : gamma[o]) * rsqrt;
            for (int i = o * perChannel; i < (o + 1) * perChannel; i++) {
                fusedW[i] = w[i] * scale;
            }
            fusedB[o] = (b[o] - mean[o]) * rsqrt * (gamma == null ? 1f : gamma[o]) + (beta == null ? 0f : beta[o]);
        }
        Conv2d fused = new Conv2d(conv.options().withBias(true));
        try (var g = Torch.noGrad()) {
            fused.weight().copyFrom(Torch.tensor(fusedW, conv.weight().shape()));
            fused.bias().copyFrom(Torch.tensor(fusedB, cout));
        }
        fused.train(conv.isTraining());
        return fused;
    }

    /**
     * Folds every batch norm that directly consumes a convolution's output, found by running the eval-mode
     * model once on {@code example}: a Conv2d whose output tensor is the input of a BatchNorm2d, each called
     * once. Replaces the conv by the fused conv and the batch norm by {@link Identity}, then checks the
     * rewritten model's output against the original's on the same input; if they differ (a model that also
     * uses the convolution's raw output elsewhere) every module is put back and the call fails.
     *
     * @return the fused pairs, conv path to batch-norm path, in call order
     */
    public static Map<String, String> fuseConvBn(Module model, Tensor example) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (Chain chain : fuse(model, example, false)) {
            pairs.put(chain.conv(), chain.bn());
        }
        return pairs;
    }

    /**
     * What inference runtimes do when they load a model: {@link #fuseConvBn}, and also every ReLU or ReLU6 that
     * directly consumes a convolution's output (or its folded batch norm's), so that conv [-> bn] -> activation
     * becomes one {@link ConvActivation2d} (the clamp applied as the kernels store each output tile: no pass over
     * the activations of its own) and the batch norm and activation become {@link Identity}. Found the same way,
     * by one eval-mode run on {@code example}, each convolution and batch norm called once, and checked the same
     * way: if the rewritten model's output differs from the original's, every module is put back and the call
     * fails. An activation module called from several places (torchvision's ResNet blocks call their one ReLU two
     * or three times) is fused into the convolution too but stays in place: applying it again changes nothing,
     * and ResNet's blocks skip it after a convolution that already applied it. A MaxPool2d that directly consumes
     * such an activation's output (ResNet's and DenseNet's stem) is folded in too ({@link ConvActivationPool2d}:
     * the convolution's rows pooled as they are computed) and becomes {@link Identity}, checked the same way on its
     * own: if the activation's output is also used elsewhere (a U-Net's skip connection), only the poolings are put
     * back. The folded modules become Identity, so a hook or feature extractor on one of them afterwards sees the
     * fused layer's output (fuse after taking intermediate features by those names, not before).
     *
     * @return for every rewritten convolution (its path), the paths of the modules folded into it, in call order
     */
    public static Map<String, List<String>> fuseForInference(Module model, Tensor example) {
        Map<String, List<String>> fused = new LinkedHashMap<>();
        for (Chain chain : fuse(model, example, true)) {
            List<String> folded = new ArrayList<>();
            if (chain.bn() != null) {
                folded.add(chain.bn());
            }
            if (chain.activation() != null) {
                folded.add(chain.activation());
            }
            if (chain.pool() != null) {
                folded.add(chain.pool());
            }
            fused.put(chain.conv(), folded);
        }
        return fused;
    }

    /** Finds the chains, rewrites them, checks the output; puts every module back if the check fails. */
    private static List<Chain> fuse(Module model, Tensor example, boolean activations) {
        String op = activations ? "fuseForInference" : "fuseConvBn";
        if (model.isTraining()) {
            throw new IllegalStateException(op + ": the model is in training mode; call eval() first "
                    + "(folding uses the running statistics)");
        }
        Map<Module, String> paths = new IdentityHashMap<>();
        model.namedModules().forEach((path, m) -> paths.put(m, path));
        List<Call> calls = new ArrayList<>();
        List<Module.HookHandle> handles = new ArrayList<>();
        for (Module m : paths.keySet()) {
            if (m instanceof Conv2d
                    || m instanceof BatchNorm2d
                    || m instanceof ReLU
                    || m instanceof ReLU6
                    || m instanceof MaxPool2d) {
                handles.add(m.registerForwardHook((mod, in, out) -> {
                    calls.add(new Call(mod, in, out));
                    return null;
                }));
            }
        }
        Tensor reference;
        try (var g = Torch.noGrad()) {
            reference = model.call(example);
        } finally {
            handles.forEach(Module.HookHandle::remove);
        }

        List<Chain> chains = chainsOf(calls, paths, activations);
        Map<String, Module> originals = new LinkedHashMap<>();
        for (Chain chain : chains) {
            Conv2d conv = (Conv2d) model.getSubmodule(chain.conv());
            originals.put(chain.conv(), conv);
            Conv2d folded = conv;
            if (chain.bn() != null) {
                BatchNorm2d bn = (BatchNorm2d) model.getSubmodule(chain.bn());
                originals.put(chain.bn(), bn);
                folded = fuseConvBnEval(conv, bn);
                model.replaceModule(chain.bn(), new Identity());
            }
            if (chain.activation() != null) {
                Module activation = model.getSubmodule(chain.activation());
                folded = withActivation(folded, activation instanceof ReLU6 ? 6f : Float.POSITIVE_INFINITY);
                if (!chain.activationShared()) {
                    originals.put(chain.activation(), activation);
                    model.replaceModule(chain.activation(), new Identity());
                }
            }
            model.replaceModule(chain.conv(), folded);
        }
        double error = errorAgainst(model, example, reference, originals);
        if (!(error <= CHECK_TOLERANCE)) {
            originals.forEach(model::replaceModule);
            throw new IllegalStateException(op + ": the fused model's output differs from the original's "
                    + "(max relative error " + error + " > " + CHECK_TOLERANCE + "); a convolution's output is "
                    + "probably used besides its batch norm or activation. The model is unchanged. Chains tried: "
                    + chains);
        }
        return foldPools(model, example, reference, chains);
    }

    /**
     * Folds each chain's max pooling into its (already fused) convolution, then checks the output again: if it
     * differs or the call fails, the poolings are put back and the chains returned without them.
     */
    private static List<Chain> foldPools(Module model, Tensor example, Tensor reference, List<Chain> chains) {
        Map<String, Module> originals = new LinkedHashMap<>();
        for (Chain chain : chains) {
            if (chain.pool() != null) {
                ConvActivation2d conv = (ConvActivation2d) model.getSubmodule(chain.conv());
                MaxPool2d pool = (MaxPool2d) model.getSubmodule(chain.pool());
                originals.put(chain.conv(), conv);
                originals.put(chain.pool(), pool);
                model.replaceModule(chain.conv(), withPool(conv, pool));
                model.replaceModule(chain.pool(), new Identity());
            }
        }
        if (originals.isEmpty()) {
            return chains;
        }
        double error;
        try {
            error = errorAgainst(model, example, reference, originals);
        } catch (RuntimeException e) {
            error = Double.POSITIVE_INFINITY; // the pooled output in place of the activation's: a shape mismatch
        }
        if (error <= CHECK_TOLERANCE) {
            return chains;
        }
        originals.forEach(model::replaceModule);
        List<Chain> withoutPools = new ArrayList<>();
        for (Chain chain : chains) {
            withoutPools.add(new Chain(chain.conv(), chain.bn(), chain.activation(), chain.activationShared(), null));
        }
        return withoutPools;
    }

    /**
     * The rewritten model's max relative error against reference on example; if the call fails, the originals are
     * put back and the failure rethrown.
     */
    private static double errorAgainst(Module model, Tensor example, Tensor reference, Map<String, Module> originals) {
        Tensor fused;
        try (var g = Torch.noGrad()) {
            fused = model.call(example);
        } catch (RuntimeException e) {
            originals.forEach(model::replaceModule);
            throw e;
        }
        return relativeError(reference, fused);
    }

    /** A ConvActivationPool2d with conv's options, clamp and a copy of its parameters, then pool's pooling. */
    private static ConvActivationPool2d withPool(ConvActivation2d conv, MaxPool2d pool) {
        return withParametersOf(conv, new ConvActivationPool2d(conv.options(), conv.lo(), conv.hi(), pool));
    }

    /** A ConvActivation2d with conv's options and a copy of its parameters, clamping at [0, hi]. */
    private static ConvActivation2d withActivation(Conv2d conv, float hi) {
        return withParametersOf(conv, new ConvActivation2d(conv.options(), 0f, hi));
    }

    /** fused, given a copy of conv's weight and bias and its training flag. */
    private static <T extends Conv2d> T withParametersOf(Conv2d conv, T fused) {
        try (var g = Torch.noGrad()) {
            fused.weight().copyFrom(conv.weight());
            if (conv.bias() != null) {
                fused.bias().copyFrom(conv.bias());
            }
        }
        fused.train(conv.isTraining());
        return fused;
    }

    /** One recorded forward call: the module, its input and its output. */
    private record Call(Module module, Tensor input, Tensor output) {}

    /**
     * A convolution (path) and the batch norm, activation and max pooling (paths, or null) that consume its output in
     * turn; activationShared if the activation module is also called elsewhere.
     */
    private record Chain(String conv, String bn, String activation, boolean activationShared, String pool) {}

    /**
     * Every chain conv -> bn, and with {@code activations} also conv [-> bn] -> ReLU/ReLU6 [-> MaxPool2d], where
     * each link's input is the very output tensor of the one before and the conv, bn and pooling are called once.
     */
    private static List<Chain> chainsOf(List<Call> calls, Map<Module, String> paths, boolean activations) {
        Map<Module, Integer> callCounts = new IdentityHashMap<>();
        calls.forEach(c -> callCounts.merge(c.module(), 1, Integer::sum));
        Map<Tensor, Chain> openByOutput = new IdentityHashMap<>();
        Map<String, Chain> chains = new LinkedHashMap<>();
        for (Call c : calls) {
            boolean shared = callCounts.get(c.module()) != 1;
            boolean activation = c.module() instanceof ReLU || c.module() instanceof ReLU6;
            boolean pool = c.module() instanceof MaxPool2d;
            if (shared && !activation) {
                continue; // a module shared between two places cannot be folded for both
            }
            String path = paths.get(c.module());
            if (c.module() instanceof ConvActivation2d) {
                continue; // already ends in its activation
            } else if (c.module() instanceof Conv2d) {
                openByOutput.put(c.output(), new Chain(path, null, null, false, null));
            } else if (c.module() instanceof BatchNorm2d) {
                Chain chain = openByOutput.remove(c.input());
                if (chain != null && chain.bn() == null) {
                    Chain withBn = new Chain(chain.conv(), path, null, false, null);
                    chains.put(chain.conv(), withBn);
                    if (activations) {
                        openByOutput.put(c.output(), withBn);
                    }
                }
            } else if (activations && pool) {
                Chain chain = openByOutput.remove(c.input());
                if (chain != null && chain.activation() != null) {
                    chains.put(
                            chain.conv(),
                            new Chain(chain.conv(), chain.bn(), chain.activation(), chain.activationShared(), path));
                }
            } else if (activations) { // ReLU or ReLU6
                Chain chain = openByOutput.remove(c.input());
                if (chain != null && chain.activation() == null) {
                    Chain withActivation = new Chain(chain.conv(), chain.bn(), path, shared, null);
                    chains.put(chain.conv(), withActivation);
                    openByOutput.put(c.output(), withActivation);
                }
            }
        }
        return new ArrayList<>(chains.values());
    }

    /** max |a - b| / max |a| (0 for an all-zero a equal to b). */
    private static double relativeError(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        if (x.length != y.length) {
            return Double.POSITIVE_INFINITY;
        }
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs((double) x[i] - y[i]));
            scale = Math.max(scale, Math.abs(x[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
