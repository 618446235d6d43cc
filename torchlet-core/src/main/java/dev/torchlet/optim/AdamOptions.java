package dev.torchlet.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of {@link Adam} and {@link AdamW}, as torch.optim.Adam's arguments (PyTorch 2.x, which has
 * {@code decoupled_weight_decay}); validated on construction. They are the defaults of every parameter
 * group ({@link ParamGroup#set} overrides them per group). Start from {@link #of(double)} for Adam and
 * from {@link #adamW(double)} for AdamW, whose weight decay defaults to 0.01 and is decoupled:
 * <pre>
 *   new Adam(model.parameters(), AdamOptions.of(1e-3).withWeightDecay(1e-4).withAmsgrad(true))
 *   new AdamW(model.parameters(), AdamOptions.adamW(3e-4).withBetas(0.9, 0.95))
 * </pre>
 *
 * @param lr                   learning rate, &gt;= 0 (default 1e-3)
 * @param beta1                decay of the gradient average m, in [0, 1) (default 0.9)
 * @param beta2                decay of the squared-gradient average v, in [0, 1) (default 0.999)
 * @param eps                  added to the denominator, &gt;= 0 (default 1e-8)
 * @param weightDecay          weight decay, &gt;= 0 (default 0; AdamW's 0.01)
 * @param amsgrad              use the running maximum of v (default false)
 * @param decoupledWeightDecay decay the weights directly ({@code p *= 1 - lr wd}, AdamW) instead of adding
 *                             {@code wd p} to the gradient (default false; AdamW's true)
 */
public record AdamOptions(
        double lr,
        double beta1,
        double beta2,
        double eps,
        double weightDecay,
        boolean amsgrad,
        boolean decoupledWeightDecay) {
    public AdamOptions {
        OptionChecks.nonNegative("Adam", "lr", lr);
        OptionChecks.fraction("Adam", "beta1", beta1);
        OptionChecks.fraction("Adam", "beta2", beta2);
        OptionChecks.nonNegative("Adam", "eps", eps);
        OptionChecks.nonNegative("Adam", "weightDecay", weightDecay);
    }

    /** torch.optim.Adam's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, no amsgrad. */
    public static AdamOptions defaults() {
        return new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
    }

    /** Adam's defaults with this learning rate. */
    public static AdamOptions of(double lr) {
        return defaults().withLr(lr);
    }

    /** torch.optim.AdamW's defaults: Adam's, with decoupled weight decay 0.01. */
    public static AdamOptions adamW() {
        return new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0.01, false, true);
    }

    /** AdamW's defaults with this learning rate. */
    public static AdamOptions adamW(double lr) {
        return adamW().withLr(lr);
    }

    public AdamOptions withLr(double v) {
        return new AdamOptions(v, beta1, beta2, eps, weightDecay, amsgrad, decoupledWeightDecay);
    }

    public AdamOptions withBetas(double b1, double b2) {
        return new AdamOptions(lr, b1, b2, eps, weightDecay, amsgrad, decoupledWeightDecay);
    }

    public AdamOptions withBeta1(double v) {
        return withBetas(v, beta2);
    }

    public AdamOptions withBeta2(double v) {
        return withBetas(beta1, v);
    }

    public AdamOptions withEps(double v) {
        return new AdamOptions(lr, beta1, beta2, v, weightDecay, amsgrad, decoupledWeightDecay);
    }

    public AdamOptions withWeightDecay(double v) {
        return new AdamOptions(lr, beta1, beta2, eps, v, amsgrad, decoupledWeightDecay);
    }

    public AdamOptions withAmsgrad(boolean v) {
        return new AdamOptions(lr, beta1, beta2, eps, weightDecay, v, decoupledWeightDecay);
    }

    public AdamOptions withDecoupledWeightDecay(boolean v) {
        return new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, v);
    }

    /**
     * The param-group options, by PyTorch's names (betas split in two, booleans as 0/1). Decoupling is
     * the optimizer's, not a group's: it stays out of the groups, as before.
     */
    Map<String, Double> groupDefaults() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("amsgrad", amsgrad ? 1.0 : 0.0);
        return m;
    }
}
