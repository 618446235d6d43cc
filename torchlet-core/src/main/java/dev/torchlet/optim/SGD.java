package dev.torchlet.optim;

import dev.torchlet.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, as torch.optim.SGD:
 * <pre>
 *   g = grad + weight_decay * p
 *   buf = g                                   (first step)
 *   buf = momentum * buf + (1 - dampening) * g (later steps)
 *   g = nesterov ? g + momentum * buf : buf    (when momentum != 0)
 *   p = p - lr * g
 * </pre>
 */
public final class SGD extends Optimizer {
    public SGD(List<Tensor> params, double lr) {
        this(single(params), lr, 0, 0, 0, false);
    }

    public SGD(List<Tensor> params, double lr, double momentum) {
        this(single(params), lr, momentum, 0, 0, false);
    }

    public SGD(List<ParamGroup> groups, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super(groups, Map.of("lr", lr, "momentum", momentum, "dampening", dampening, "weight_decay", weightDecay,
                "nesterov", nesterov ? 1.0 : 0.0));
        for (ParamGroup g : groups) {
            if (g.get("nesterov") != 0 && (g.get("momentum") <= 0 || g.get("dampening") != 0)) {
                throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening");
            }
        }
    }

    @Override
    protected void update(ParamGroup group, float[] p, float[] grad, int gOff, Map<String, Tensor> state, int n) {
        float lr = (float) group.lr();
        float momentum = (float) group.get("momentum");
        float dampening = (float) group.get("dampening");
        float wd = (float) group.get("weight_decay");
        boolean nesterov = group.get("nesterov") != 0;
        boolean first = !hasBuffer(state, "momentum_buffer");
        float[] buf = momentum != 0 ? buffer(state, "momentum_buffer", n, 0f) : null;
        for (int i = 0; i < n; i++) {
            float g = grad[gOff + i];
            if (wd != 0) {
                g += wd * p[i];
            }
            if (momentum != 0) {
                buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g;
                g = nesterov ? g + momentum * buf[i] : buf[i];
            }
            p[i] -= lr * g;
        }
    }
}
