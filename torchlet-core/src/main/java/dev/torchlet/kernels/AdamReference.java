package dev.torchlet.kernels;

/**
 * The Adam/AdamW update as a plain loop, in the same operations and order as {@link AdamKernels}
 * (so the two agree bit for bit): the conformance oracle, and the tail of the vector kernel.
 * <pre>
 *   g = grad (+ wd * p, L2 mode)     p *= decay (decoupled mode)
 *   m = beta1 m + (1 - beta1) g ;  v = beta2 v + (1 - beta2) g g
 *   p = p - stepSize * m / (sqrt(v) / bc2Sqrt + eps)
 * </pre>
 */
public final class AdamReference {
    private AdamReference() {}

    /** The plain loop over [s, e) with {@link AdamKernels#update}'s arguments: the oracle and the vector tail. */
    public static void update(
            float[] p,
            float[] grad,
            int gOff,
            float[] m,
            float[] v,
            int s,
            int e,
            float beta1,
            float beta2,
            float eps,
            float wd,
            boolean decoupled,
            float decay,
            float stepSize,
            float bc2Sqrt) {
        float c1 = 1 - beta1;
        float c2 = 1 - beta2;
        for (int i = s; i < e; i++) {
            float g = grad[gOff + i];
            if (wd != 0) {
                if (decoupled) {
                    p[i] *= decay;
                } else {
                    g += wd * p[i];
                }
            }
            m[i] = beta1 * m[i] + c1 * g;
            v[i] = beta2 * v[i] + c2 * g * g;
            float denom = (float) Math.sqrt(v[i]) / bc2Sqrt + eps;
            p[i] -= stepSize * m[i] / denom;
        }
    }
}
