package dev.torchlet.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of {@link RMSprop}, as torch.optim.RMSprop's arguments; validated on construction. They are the
 * defaults of every parameter group ({@link ParamGroup#set} overrides them per group).
 * <pre>
 *   new RMSprop(model.parameters(), RMSpropOptions.of(1e-3).withMomentum(0.9).withCentered(true))
 * </pre>
 *
 * @param lr          learning rate, &gt;= 0 (default 1e-2)
 * @param alpha       decay of the squared-gradient average, in [0, 1) (default 0.99)
 * @param eps         added to the denominator, &gt;= 0 (default 1e-8)
 * @param weightDecay L2 penalty added to the gradient, &gt;= 0 (default 0)
 * @param momentum    momentum factor, &gt;= 0 (default 0)
 * @param centered    normalize by the variance estimate instead of the raw second moment (default false)
 */
public record RMSpropOptions(
        double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
    public RMSpropOptions {
        OptionChecks.nonNegative("RMSprop", "lr", lr);
        OptionChecks.fraction("RMSprop", "alpha", alpha);
        OptionChecks.nonNegative("RMSprop", "eps", eps);
        OptionChecks.nonNegative("RMSprop", "weightDecay", weightDecay);
        OptionChecks.nonNegative("RMSprop", "momentum", momentum);
    }

    /** torch.optim.RMSprop's defaults: lr 1e-2, alpha 0.99, eps 1e-8, no weight decay, no momentum, uncentered. */
    public static RMSpropOptions defaults() {
        return new RMSpropOptions(1e-2, 0.99, 1e-8, 0, 0, false);
    }

    /** RMSprop's defaults with this learning rate. */
    public static RMSpropOptions of(double lr) {
        return defaults().withLr(lr);
    }

    public RMSpropOptions withLr(double v) {
        return new RMSpropOptions(v, alpha, eps, weightDecay, momentum, centered);
    }

    public RMSpropOptions withAlpha(double v) {
        return new RMSpropOptions(lr, v, eps, weightDecay, momentum, centered);
    }

    public RMSpropOptions withEps(double v) {
        return new RMSpropOptions(lr, alpha, v, weightDecay, momentum, centered);
    }

    public RMSpropOptions withWeightDecay(double v) {
        return new RMSpropOptions(lr, alpha, eps, v, momentum, centered);
    }

    public RMSpropOptions withMomentum(double v) {
        return new RMSpropOptions(lr, alpha, eps, weightDecay, v, centered);
    }

    public RMSpropOptions withCentered(boolean v) {
        return new RMSpropOptions(lr, alpha, eps, weightDecay, momentum, v);
    }

    /** The param-group options, by PyTorch's names (booleans as 0/1). */
    Map<String, Double> groupDefaults() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("alpha", alpha);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("momentum", momentum);
        m.put("centered", centered ? 1.0 : 0.0);
        return m;
    }
}
