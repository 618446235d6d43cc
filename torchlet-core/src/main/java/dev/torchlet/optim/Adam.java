package dev.torchlet.optim;

import dev.torchlet.Tensor;
import dev.torchlet.kernels.AdamKernels;
import java.util.List;
import java.util.Map;
import java.util.SequencedCollection;

/**
 * Adam, as torch.optim.Adam (weight decay as L2 added to the gradient):
 * <pre>
 *   g = grad + weight_decay * p
 *   m = beta1 m + (1 - beta1) g ;  v = beta2 v + (1 - beta2) g^2
 *   vmax = max(vmax, v)                                  (amsgrad)
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v or vmax) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * With {@link AdamOptions#decoupledWeightDecay()} (AdamW), {@code p = p * (1 - lr * weight_decay)} replaces the L2
 * term. Configure it with {@link AdamOptions}: {@code new Adam(params, AdamOptions.of(1e-3).withAmsgrad(true))}.
 */
public class Adam extends Optimizer {
    private final AdamOptions options;

    public Adam(List<Tensor> params, AdamOptions options) {
        this(single(params), options);
    }

    /**
     * Several parameter groups; options are the defaults of every group (a group's own settings win).
     * Typed SequencedCollection (any ordered collection, e.g. a List) because List&lt;ParamGroup&gt; and the
     * params constructor's List&lt;Tensor&gt; would erase to the same signature.
     */
    public Adam(SequencedCollection<ParamGroup> groups, AdamOptions options) {
        super(List.copyOf(groups), options.groupDefaults());
        this.options = options;
    }

    public Adam(List<Tensor> params, double lr) {
        this(params, AdamOptions.of(lr));
    }

    /**
     * @deprecated use {@code new Adam(groups, AdamOptions.of(lr).withBetas(b1, b2).withEps(eps).withWeightDecay(wd)
     *     .withAmsgrad(amsgrad))}: seven positional arguments are easy to mix up.
     */
    @Deprecated
    public Adam(
            List<ParamGroup> groups,
            double lr,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
            boolean amsgrad) {
        this(groups, new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, false));
    }

    /** The options given at construction: every group's defaults (schedulers change the groups' lr, not these). */
    public AdamOptions options() {
        return options;
    }

    @Override
    protected void update(ParamGroup group, float[] p, float[] grad, int gOff, Map<String, Tensor> state, int n) {
        double lr = group.lr();
        float beta1 = (float) group.get("beta1");
        float beta2 = (float) group.get("beta2");
        float eps = (float) group.get("eps");
        float wd = (float) group.get("weight_decay");
        boolean amsgrad = group.get("amsgrad") != 0;
        boolean decoupledWeightDecay = options.decoupledWeightDecay();
        long t = nextStep(state);
        float[] m = buffer(state, "exp_avg", n, 0f);
        float[] v = buffer(state, "exp_avg_sq", n, 0f);
        float[] vmax = amsgrad ? buffer(state, "max_exp_avg_sq", n, 0f) : null;
        float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float decay = (float) (1 - lr * wd);
        if (!amsgrad) {
            AdamKernels.update(
                    p, grad, gOff, m, v, n, beta1, beta2, eps, wd, decoupledWeightDecay, decay, stepSize, bc2Sqrt);
            return;
        }
        for (int i = 0; i < n; i++) {
            float g = grad[gOff + i];
            if (wd != 0) {
                if (decoupledWeightDecay) {
                    p[i] *= decay;
                } else {
                    g += wd * p[i];
                }
            }
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            float second = v[i];
            if (amsgrad) {
                vmax[i] = Math.max(vmax[i], v[i]);
                second = vmax[i];
            }
            float denom = (float) Math.sqrt(second) / bc2Sqrt + eps;
            p[i] -= stepSize * m[i] / denom;
        }
    }
}
