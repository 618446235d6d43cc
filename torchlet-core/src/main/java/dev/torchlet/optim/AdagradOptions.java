package dev.torchlet.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of {@link Adagrad}, as torch.optim.Adagrad's arguments; validated on construction. They are the
 * defaults of every parameter group ({@link ParamGroup#set} overrides them per group).
 * <pre>
 *   new Adagrad(model.parameters(), AdagradOptions.of(0.1).withLrDecay(0.01).withInitialAccumulatorValue(0.1))
 * </pre>
 *
 * @param lr                      learning rate, &gt;= 0 (default 1e-2)
 * @param lrDecay                 step t uses lr / (1 + (t - 1) lrDecay), &gt;= 0 (default 0)
 * @param weightDecay             L2 penalty added to the gradient, &gt;= 0 (default 0)
 * @param initialAccumulatorValue starting value of the squared-gradient sum, &gt;= 0 (default 0)
 * @param eps                     added to the denominator, &gt;= 0 (default 1e-10)
 */
public record AdagradOptions(
        double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
    public AdagradOptions {
        OptionChecks.nonNegative("Adagrad", "lr", lr);
        OptionChecks.nonNegative("Adagrad", "lrDecay", lrDecay);
        OptionChecks.nonNegative("Adagrad", "weightDecay", weightDecay);
        OptionChecks.nonNegative("Adagrad", "initialAccumulatorValue", initialAccumulatorValue);
        OptionChecks.nonNegative("Adagrad", "eps", eps);
    }

    /** torch.optim.Adagrad's defaults: lr 1e-2, no lr decay, no weight decay, accumulator 0, eps 1e-10. */
    public static AdagradOptions defaults() {
        return new AdagradOptions(1e-2, 0, 0, 0, 1e-10);
    }

    /** Adagrad's defaults with this learning rate. */
    public static AdagradOptions of(double lr) {
        return defaults().withLr(lr);
    }

    public AdagradOptions withLr(double v) {
        return new AdagradOptions(v, lrDecay, weightDecay, initialAccumulatorValue, eps);
    }

    public AdagradOptions withLrDecay(double v) {
        return new AdagradOptions(lr, v, weightDecay, initialAccumulatorValue, eps);
    }

    public AdagradOptions withWeightDecay(double v) {
        return new AdagradOptions(lr, lrDecay, v, initialAccumulatorValue, eps);
    }

    public AdagradOptions withInitialAccumulatorValue(double v) {
        return new AdagradOptions(lr, lrDecay, weightDecay, v, eps);
    }

    public AdagradOptions withEps(double v) {
        return new AdagradOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, v);
    }

    /** The param-group options, by PyTorch's names. */
    Map<String, Double> groupDefaults() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("lr_decay", lrDecay);
        m.put("weight_decay", weightDecay);
        m.put("initial_accumulator_value", initialAccumulatorValue);
        m.put("eps", eps);
        return m;
    }
}
