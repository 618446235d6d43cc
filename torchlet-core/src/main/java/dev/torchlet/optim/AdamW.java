package dev.torchlet.optim;

import dev.torchlet.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay, as torch.optim.AdamW: first {@code p = p * (1 - lr * weight_decay)},
 * then the Adam update without L2 in the gradient. Default weight decay 0.01.
 */
public final class AdamW extends Adam {
    public AdamW(List<Tensor> params, double lr) {
        this(single(params), lr, 0.9, 0.999, 1e-8, 0.01, false);
    }

    public AdamW(List<Tensor> params, double lr, double weightDecay) {
        this(single(params), lr, 0.9, 0.999, 1e-8, weightDecay, false);
    }

    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay,
                 boolean amsgrad) {
        super(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, true);
    }
}
