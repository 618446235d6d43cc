package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Adam/AdamW elementwise update (without amsgrad), vectorized and split across the pool:
 * <pre>
 *   g = grad (+ wd * p, L2 mode)     p *= decay (decoupled mode)
 *   m = beta1 m + (1 - beta1) g ;  v = beta2 v + (1 - beta2) g g
 *   p = p - stepSize * m / (sqrt(v) / bc2Sqrt + eps)
 * </pre>
 * Same operations in the same order as {@link AdamReference#update} (no FMA contraction), so the two
 * agree bit for bit; the loop tail runs the reference loop itself.
 */
public final class AdamKernels {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    private static final int GRAIN = 1 << 16;

    private AdamKernels() {}

    /** Updates p[0..n), m, v in place from grad[gOff..gOff+n). wd is L2 (added to g) unless decoupled. */
    public static void update(
            float[] p,
            float[] grad,
            int gOff,
            float[] m,
            float[] v,
            int n,
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
        Parallel.forRange(n, GRAIN, (s, e) -> {
            int i = s;
            for (int end = s + S.loopBound(e - s); i < end; i += L) {
                FloatVector g = FloatVector.fromArray(S, grad, gOff + i);
                FloatVector pv = FloatVector.fromArray(S, p, i);
                if (wd != 0) {
                    if (decoupled) {
                        pv = pv.mul(decay);
                    } else {
                        g = g.add(pv.mul(wd));
                    }
                }
                FloatVector mv = FloatVector.fromArray(S, m, i).mul(beta1).add(g.mul(c1));
                FloatVector vv =
                        FloatVector.fromArray(S, v, i).mul(beta2).add(g.mul(c2).mul(g));
                mv.intoArray(m, i);
                vv.intoArray(v, i);
                FloatVector denom =
                        vv.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
                pv.sub(mv.mul(stepSize).div(denom)).intoArray(p, i);
            }
            AdamReference.update(p, grad, gOff, m, v, i, e, beta1, beta2, eps, wd, decoupled, decay, stepSize, bc2Sqrt);
        });
    }
}
