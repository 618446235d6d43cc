package dev.torchlet.optim;

import dev.torchlet.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adagrad, as torch.optim.Adagrad:
 * <pre>
 *   g = grad + weight_decay * p ;  clr = lr / (1 + (t - 1) lr_decay)
 *   sum = sum + g^2 ;  p = p - clr g / (sqrt(sum) + eps)
 * </pre>
 */
public final class Adagrad extends Optimizer {
    public Adagrad(List<Tensor> params, double lr) {
        this(single(params), lr, 0, 0, 0, 1e-10);
    }

    public Adagrad(List<ParamGroup> groups, double lr, double lrDecay, double weightDecay,
                   double initialAccumulatorValue, double eps) {
        super(groups, Map.of("lr", lr, "lr_decay", lrDecay, "weight_decay", weightDecay,
                "initial_accumulator_value", initialAccumulatorValue, "eps", eps));
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
