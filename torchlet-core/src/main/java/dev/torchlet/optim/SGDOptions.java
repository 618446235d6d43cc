package dev.torchlet.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of {@link SGD}, as torch.optim.SGD's arguments; validated on construction. They are the
 * defaults of every parameter group ({@link ParamGroup#set} overrides them per group).
 * <pre>
 *   new SGD(model.parameters(), SGDOptions.of(0.1).withMomentum(0.9).withNesterov(true).withWeightDecay(5e-4))
 * </pre>
 *
 * @param lr          learning rate, &gt;= 0 (required: PyTorch 1.x has no default)
 * @param momentum    momentum factor, &gt;= 0 (default 0)
 * @param dampening   dampening of the momentum, &gt;= 0 (default 0)
 * @param weightDecay L2 penalty added to the gradient, &gt;= 0 (default 0)
 * @param nesterov    Nesterov momentum; needs momentum &gt; 0 and dampening 0 (default false)
 */
public record SGDOptions(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
    public SGDOptions {
        OptionChecks.nonNegative("SGD", "lr", lr);
        OptionChecks.nonNegative("SGD", "momentum", momentum);
        OptionChecks.nonNegative("SGD", "dampening", dampening);
        OptionChecks.nonNegative("SGD", "weightDecay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: nesterov needs momentum > 0 and dampening 0, got momentum "
                    + momentum + " and dampening " + dampening);
        }
    }

    /** Plain SGD: no momentum, dampening, weight decay or Nesterov, as PyTorch's defaults. */
    public static SGDOptions of(double lr) {
        return new SGDOptions(lr, 0, 0, 0, false);
    }

    public SGDOptions withLr(double v) {
        return new SGDOptions(v, momentum, dampening, weightDecay, nesterov);
    }

    public SGDOptions withMomentum(double v) {
        return new SGDOptions(lr, v, dampening, weightDecay, nesterov);
    }

    public SGDOptions withDampening(double v) {
        return new SGDOptions(lr, momentum, v, weightDecay, nesterov);
    }

    public SGDOptions withWeightDecay(double v) {
        return new SGDOptions(lr, momentum, dampening, v, nesterov);
    }

    public SGDOptions withNesterov(boolean v) {
        return new SGDOptions(lr, momentum, dampening, weightDecay, v);
    }

    /** The param-group options, by PyTorch's names (booleans as 0/1). */
    Map<String, Double> groupDefaults() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("momentum", momentum);
        m.put("dampening", dampening);
        m.put("weight_decay", weightDecay);
        m.put("nesterov", nesterov ? 1.0 : 0.0);
        return m;
    }
}
