package dev.torchlet.optim;

import dev.torchlet.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SequencedCollection;

/**
 * Stochastic gradient descent, as torch.optim.SGD:
 * <pre>
 *   g = grad + weight_decay * p
 *   buf = g                                   (first step)
 *   buf = momentum * buf + (1 - dampening) * g (later steps)
 *   g = nesterov ? g + momentum * buf : buf    (when momentum != 0)
 *   p = p - lr * g
 * </pre>
 * Configure it with {@link SGDOptions}: {@code new SGD(params, SGDOptions.of(0.1).withMomentum(0.9))}.
 */
public final class SGD extends Optimizer {
    private final SGDOptions options;

    public SGD(List<Tensor> params, SGDOptions options) {
        this(single(params), options);
    }

    /**
     * Several parameter groups; options are the defaults of every group (a group's own settings win).
     * Typed SequencedCollection (any ordered collection, e.g. a List) because List&lt;ParamGroup&gt; and the
     * params constructor's List&lt;Tensor&gt; would erase to the same signature.
     */
    public SGD(SequencedCollection<ParamGroup> groups, SGDOptions options) {
        super(List.copyOf(groups), options.groupDefaults());
        this.options = options;
        for (ParamGroup g : groups) {
            if (g.get("nesterov") != 0 && (g.get("momentum") <= 0 || g.get("dampening") != 0)) {
                throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
            }
        }
    }

    public SGD(List<Tensor> params, double lr) {
        this(params, SGDOptions.of(lr));
    }

    public SGD(List<Tensor> params, double lr, double momentum) {
        this(params, SGDOptions.of(lr).withMomentum(momentum));
    }

    /**
     * @deprecated use {@code new SGD(groups, SGDOptions.of(lr).withMomentum(m).withDampening(d)
     *     .withWeightDecay(wd).withNesterov(n))}: six positional arguments are easy to mix up.
     */
    @Deprecated
    public SGD(
            List<ParamGroup> groups,
            double lr,
            double momentum,
            double dampening,
            double weightDecay,
            boolean nesterov) {
        this(groups, new SGDOptions(lr, momentum, dampening, weightDecay, nesterov));
    }

    /** The options given at construction: every group's defaults (schedulers change the groups' lr, not these). */
    public SGDOptions options() {
        return options;
    }

    @Override
    protected void update(ParamGroup group, float[] p, float[] grad, int gOff, Map<String, Tensor> state, int n) {
        float lr = (float) group.lr();
        float momentum = (float) group.get("momentum");
        float dampening = (float) group.get("dampening");
        float wd = (float) group.get("weight_decay");
        boolean nesterov = group.get("nesterov") != 0;
        boolean first = !hasBuffer(state, "momentum_buffer");
        float[] buf = momentum != 0 ? buffer(state, "momentum_buffer", n, 0f) : null;
        for (int i = 0; i < n; i++) {
            float g = grad[gOff + i];
            if (wd != 0) {
                g += wd * p[i];
            }
            if (momentum != 0) {
                buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g;
                g = nesterov ? g + momentum * buf[i] : buf[i];
            }
            p[i] -= lr * g;
        }
    }
}
