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
 * finds every pair in a model by running it once and rewrites the model in place. The fused model is for
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
        if (model.isTraining()) {
            throw new IllegalStateException("fuseConvBn: the model is in training mode; call eval() first "
                    + "(folding uses the running statistics)");
        }
        Map<Module, String> paths = new IdentityHashMap<>();
        model.namedModules().forEach((path, m) -> paths.put(m, path));
        List<Call> calls = new ArrayList<>();
        List<Module.HookHandle> handles = new ArrayList<>();
        for (Module m : paths.keySet()) {
            if (m instanceof Conv2d || m instanceof BatchNorm2d) {
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

        Map<String, String> pairs = pairsOf(calls, paths);
        Map<String, Module> originals = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            Conv2d conv = (Conv2d) model.getSubmodule(pair.getKey());
            BatchNorm2d bn = (BatchNorm2d) model.getSubmodule(pair.getValue());
            originals.put(pair.getKey(), conv);
            originals.put(pair.getValue(), bn);
            model.replaceModule(pair.getKey(), fuseConvBnEval(conv, bn));
            model.replaceModule(pair.getValue(), new Identity());
        }
        Tensor fused;
        try (var g = Torch.noGrad()) {
            fused = model.call(example);
        } catch (RuntimeException e) {
            originals.forEach(model::replaceModule);
            throw e;
        }
        double error = relativeError(reference, fused);
        if (!(error <= CHECK_TOLERANCE)) {
            originals.forEach(model::replaceModule);
            throw new IllegalStateException("fuseConvBn: the fused model's output differs from the original's "
                    + "(max relative error " + error + " > " + CHECK_TOLERANCE + "); a convolution's output is "
                    + "probably used besides its batch norm. The model is unchanged. Pairs tried: " + pairs);
        }
        return pairs;
    }

    /** One recorded forward call: the module, its input and its output. */
    private record Call(Module module, Tensor input, Tensor output) {}

    /** conv path -> bn path for every BatchNorm2d whose input is the very output of a Conv2d, each called once. */
    private static Map<String, String> pairsOf(List<Call> calls, Map<Module, String> paths) {
        Map<Module, Integer> callCounts = new IdentityHashMap<>();
        calls.forEach(c -> callCounts.merge(c.module(), 1, Integer::sum));
        Map<Tensor, Call> convByOutput = new IdentityHashMap<>();
        Map<String, String> pairs = new LinkedHashMap<>();
        for (Call c : calls) {
            if (callCounts.get(c.module()) != 1) {
                continue; // a module shared between two places cannot be folded for both
            }
            if (c.module() instanceof Conv2d) {
                convByOutput.put(c.output(), c);
            } else if (c.module() instanceof BatchNorm2d) {
                Call conv = convByOutput.remove(c.input());
                if (conv != null) {
                    pairs.put(paths.get(conv.module()), paths.get(c.module()));
                }
            }
        }
        return pairs;
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
