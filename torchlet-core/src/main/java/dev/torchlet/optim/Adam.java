package dev.torchlet.optim;

import dev.torchlet.Tensor;
import dev.torchlet.kernels.AdamKernels;
import java.util.List;
import java.util.Map;

/**
 * Adam, as torch.optim.Adam (weight decay as L2 added to the gradient):
 * <pre>
 *   g = grad + weight_decay * p
 *   m = beta1 m + (1 - beta1) g ;  v = beta2 v + (1 - beta2) g^2
 *   vmax = max(vmax, v)                                  (amsgrad)
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v or vmax) / sqrt(1 - beta2^t) + eps)
 * </pre>
 */
public class Adam extends Optimizer {
    private final boolean decoupledWeightDecay;

    public Adam(List<Tensor> params, double lr) {
        this(single(params), lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay,
                boolean amsgrad) {
        this(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
    }

    Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay,
         boolean amsgrad, boolean decoupledWeightDecay) {
        super(groups, Map.of("lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay,
                "amsgrad", amsgrad ? 1.0 : 0.0));
        this.decoupledWeightDecay = decoupledWeightDecay;
    }

    @Override
    protected void update(ParamGroup group, float[] p, float[] grad, int gOff, Map<String, Tensor> state, int n) {
        double lr = group.lr();
        float beta1 = (float) group.get("beta1");
        float beta2 = (float) group.get("beta2");
        float eps = (float) group.get("eps");
        float wd = (float) group.get("weight_decay");
        boolean amsgrad = group.get("amsgrad") != 0;
        long t = nextStep(state);
        float[] m = buffer(state, "exp_avg", n, 0f);
        float[] v = buffer(state, "exp_avg_sq", n, 0f);
        float[] vmax = amsgrad ? buffer(state, "max_exp_avg_sq", n, 0f) : null;
        float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float decay = (float) (1 - lr * wd);
        if (!amsgrad) {
            AdamKernels.update(p, grad, gOff, m, v, n, beta1, beta2, eps, wd, decoupledWeightDecay, decay, stepSize,
                    bc2Sqrt);
            return;
        }
        for (int i = 0; i < n; i++) {
            float g = grad[gOff + i];
            if (wd != 0) {
                if (decoupledWeightDecay) {
                    p[i] *= decay;
                } else {
                    g += wd * p[i];
                }
            }
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            float second = v[i];
            if (amsgrad) {
                vmax[i] = Math.max(vmax[i], v[i]);
                second = vmax[i];
            }
            float denom = (float) Math.sqrt(second) / bc2Sqrt + eps;
            p[i] -= stepSize * m[i] / denom;
        }
    }
}
