package dev.torchlet.nn;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;

/**
 * Normalizes over the trailing dims given by normalizedShape: y = (x - mean) / sqrt(var + eps) *
 * weight + bias (biased variance), weight starting at 1 and bias at 0.
 */
public class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;

    public LayerNorm(int normalizedShape) {
        this(new int[] {normalizedShape}, 1e-5, true);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        registerParameter("weight", elementwiseAffine ? Torch.ones(normalizedShape) : null);
        registerParameter("bias", elementwiseAffine ? Torch.zeros(normalizedShape) : null);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.layerNorm(x, normalizedShape, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < normalizedShape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(normalizedShape[i]);
        }
        return sb.append(normalizedShape.length == 1 ? ",)" : ")")
                .append(", eps=")
                .append(eps)
                .append(", elementwise_affine=")
                .append(parameter("weight") != null ? "True" : "False")
                .toString();
    }
}
