package dev.torchlet.optim;

import dev.torchlet.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SequencedCollection;

/**
 * RMSprop, as torch.optim.RMSprop:
 * <pre>
 *   g = grad + weight_decay * p
 *   sq = alpha sq + (1 - alpha) g^2
 *   avg = sqrt(sq - ga^2) + eps with ga = alpha ga + (1 - alpha) g   (centered)
 *   avg = sqrt(sq) + eps                                             (otherwise)
 *   buf = momentum buf + g / avg ; p = p - lr buf                    (momentum &gt; 0)
 *   p = p - lr g / avg                                               (otherwise)
 * </pre>
 * Configure it with {@link RMSpropOptions}: {@code new RMSprop(params, RMSpropOptions.of(1e-3).withMomentum(0.9))}.
 */
public final class RMSprop extends Optimizer {
    private final RMSpropOptions options;

    public RMSprop(List<Tensor> params, RMSpropOptions options) {
        this(single(params), options);
    }

    /**
     * Several parameter groups; options are the defaults of every group (a group's own settings win).
     * Typed SequencedCollection (any ordered collection, e.g. a List) because List&lt;ParamGroup&gt; and the
     * params constructor's List&lt;Tensor&gt; would erase to the same signature.
     */
    public RMSprop(SequencedCollection<ParamGroup> groups, RMSpropOptions options) {
        super(List.copyOf(groups), options.groupDefaults());
        this.options = options;
    }

    public RMSprop(List<Tensor> params, double lr) {
        this(params, RMSpropOptions.of(lr));
    }

    /**
     * @deprecated use {@code new RMSprop(groups, RMSpropOptions.of(lr).withAlpha(a).withEps(eps).withWeightDecay(wd)
     *     .withMomentum(m).withCentered(c))}: seven positional arguments are easy to mix up.
     */
    @Deprecated
    public RMSprop(
            List<ParamGroup> groups,
            double lr,
            double alpha,
            double eps,
            double weightDecay,
            double momentum,
            boolean centered) {
        this(groups, new RMSpropOptions(lr, alpha, eps, weightDecay, momentum, centered));
    }

    /** The options given at construction: every group's defaults (schedulers change the groups' lr, not these). */
    public RMSpropOptions options() {
        return options;
    }

    @Override
    protected void update(ParamGroup group, float[] p, float[] grad, int gOff, Map<String, Tensor> state, int n) {
        float lr = (float) group.lr();
        float alpha = (float) group.get("alpha");
        float eps = (float) group.get("eps");
        float wd = (float) group.get("weight_decay");
        float momentum = (float) group.get("momentum");
        boolean centered = group.get("centered") != 0;
        nextStep(state);
        float[] sq = buffer(state, "square_avg", n, 0f);
        float[] ga = centered ? buffer(state, "grad_avg", n, 0f) : null;
        float[] buf = momentum > 0 ? buffer(state, "momentum_buffer", n, 0f) : null;
        for (int i = 0; i < n; i++) {
            float g = grad[gOff + i];
            if (wd != 0) {
                g += wd * p[i];
            }
            sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
            float avg;
            if (centered) {
                ga[i] = alpha * ga[i] + (1 - alpha) * g;
                avg = (float) Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
            } else {
                avg = (float) Math.sqrt(sq[i]) + eps;
            }
            if (momentum > 0) {
                buf[i] = momentum * buf[i] + g / avg;
                p[i] -= lr * buf[i];
            } else {
                p[i] -= lr * g / avg;
            }
        }
    }
}
