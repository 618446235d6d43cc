package dev.torchlet.optim;

import dev.torchlet.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SequencedCollection;

/**
 * Adagrad, as torch.optim.Adagrad:
 * <pre>
 *   g = grad + weight_decay * p ;  clr = lr / (1 + (t - 1) lr_decay)
 *   sum = sum + g^2 ;  p = p - clr g / (sqrt(sum) + eps)
 * </pre>
 * Configure it with {@link AdagradOptions}: {@code new Adagrad(params, AdagradOptions.of(0.1).withLrDecay(0.01))}.
 */
public final class Adagrad extends Optimizer {
    private final AdagradOptions options;

    public Adagrad(List<Tensor> params, AdagradOptions options) {
        this(single(params), options);
    }

    /**
     * Several parameter groups; options are the defaults of every group (a group's own settings win).
     * Typed SequencedCollection (any ordered collection, e.g. a List) because List&lt;ParamGroup&gt; and the
     * params constructor's List&lt;Tensor&gt; would erase to the same signature.
     */
    public Adagrad(SequencedCollection<ParamGroup> groups, AdagradOptions options) {
        super(List.copyOf(groups), options.groupDefaults());
        this.options = options;
    }

    public Adagrad(List<Tensor> params, double lr) {
        this(params, AdagradOptions.of(lr));
    }

    /**
     * @deprecated use {@code new Adagrad(groups, AdagradOptions.of(lr).withLrDecay(d).withWeightDecay(wd)
     *     .withInitialAccumulatorValue(a).withEps(eps))}: six positional arguments are easy to mix up.
     */
    @Deprecated
    public Adagrad(
            List<ParamGroup> groups,
            double lr,
            double lrDecay,
            double weightDecay,
            double initialAccumulatorValue,
            double eps) {
        this(groups, new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps));
    }

    /** The options given at construction: every group's defaults (schedulers change the groups' lr, not these). */
    public AdagradOptions options() {
        return options;
    }

    @Override
    protected void update(ParamGroup group, float[] p, float[] grad, int gOff, Map<String, Tensor> state, int n) {
        float wd = (float) group.get("weight_decay");
        float eps = (float) group.get("eps");
        long t = nextStep(state);
        float clr = (float) (group.lr() / (1 + (t - 1) * group.get("lr_decay")));
        float[] sum = buffer(state, "sum", n, (float) group.get("initial_accumulator_value"));
        for (int i = 0; i < n; i++) {
            float g = grad[gOff + i];
            if (wd != 0) {
                g += wd * p[i];
            }
            sum[i] += g * g;
            p[i] -= clr * g / ((float) Math.sqrt(sum[i]) + eps);
        }
    }
}
