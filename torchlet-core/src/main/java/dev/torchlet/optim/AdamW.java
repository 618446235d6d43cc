package dev.torchlet.optim;

import dev.torchlet.Tensor;
import java.util.List;
import java.util.SequencedCollection;

/**
 * Adam with decoupled weight decay, as torch.optim.AdamW: first {@code p = p * (1 - lr * weight_decay)},
 * then the Adam update without L2 in the gradient. Default weight decay 0.01. Configure it with
 * {@link AdamOptions#adamW(double)}: {@code new AdamW(params, AdamOptions.adamW(3e-4).withWeightDecay(0.1))}.
 */
public final class AdamW extends Adam {
    /** Options must have decoupledWeightDecay (start from {@link AdamOptions#adamW}). */
    public AdamW(List<Tensor> params, AdamOptions options) {
        this(single(params), options);
    }

    /** Several parameter groups; options (decoupled, from {@link AdamOptions#adamW}) are every group's defaults. */
    public AdamW(SequencedCollection<ParamGroup> groups, AdamOptions options) {
        super(groups, requireDecoupled(options));
    }

    public AdamW(List<Tensor> params, double lr) {
        this(params, AdamOptions.adamW(lr));
    }

    public AdamW(List<Tensor> params, double lr, double weightDecay) {
        this(params, AdamOptions.adamW(lr).withWeightDecay(weightDecay));
    }

    /**
     * @deprecated use {@code new AdamW(groups, AdamOptions.adamW(lr).withBetas(b1, b2).withEps(eps)
     *     .withWeightDecay(wd).withAmsgrad(amsgrad))}: seven positional arguments are easy to mix up.
     */
    @Deprecated
    public AdamW(
            List<ParamGroup> groups,
            double lr,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
            boolean amsgrad) {
        this(groups, new AdamOptions(lr, beta1, beta2, eps, weightDecay, amsgrad, true));
    }

    /** Plain Adam options here would silently mean weight decay 0 instead of AdamW's 0.01: refuse them. */
    private static AdamOptions requireDecoupled(AdamOptions options) {
        if (!options.decoupledWeightDecay()) {
            throw new IllegalArgumentException("AdamW: expected options with decoupledWeightDecay true (start from "
                    + "AdamOptions.adamW(lr)), got " + options);
        }
        return options;
    }
}
