package dev.torchlet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packing for {@link GemmF32}'s blocked path: copies a block of op(A) or op(B) into the
 * contiguous panel layout the micro-kernel streams through, whatever the operand's orientation.
 * Panels past the matrix edge are zero-padded, so the micro-kernel never needs a tail case in k-loop.
 *
 * <p>Layouts (mr/nr = register tile height/width, kc = depth of the block):
 * <pre>
 *   A block (mc, kc) -> ceil(mc/mr) panels, panel q holds  dst[q*mr*kc + p*mr + r] = alpha * A[ic + q*mr + r][pc + p]
 *   B block (kc, nc) -> ceil(nc/nr) panels, panel q holds  dst[q*nr*kc + p*nr + j] = B[pc + p][jc + q*nr + j]
 * </pre>
 */
final class GemmPacking {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int VL = S.length();

    private GemmPacking() {}

    /** Packs rows [ic, ic+mc) x depth [pc, pc+kc) of op(A), scaled by alpha, into mr-row panels. */
    static void packA(
            boolean transA,
            float[] a,
            int aOff,
            int lda,
            int ic,
            int pc,
            int mc,
            int kc,
            float alpha,
            int mr,
            float[] dst) {
        if (transA) {
            // A[i][p] = a[aOff + p*lda + i]: stored row p holds A's column p for all the block's rows. Read it
            // once, front to back, and deal its mr-wide pieces to the panels (panel by panel instead re-read
            // every stored row once per panel, from L2: packing cost as much as the multiply in the LSTM's
            // weight gradient, profiled)
            if (mr <= VL) {
                packTransposedPieces(a, aOff, lda, ic, pc, mc, kc, alpha, mr, dst);
                return;
            }
            for (int p = 0; p < kc; p++) {
                int src = aOff + (pc + p) * lda + ic;
                for (int q = 0, i0 = 0; i0 < mc; q++, i0 += mr) {
                    int rows = Math.min(mr, mc - i0);
                    int d = q * mr * kc + p * mr;
                    for (int r = 0; r < rows; r++) {
                        dst[d + r] = alpha * a[src + i0 + r];
                    }
                    for (int r = rows; r < mr; r++) {
                        dst[d + r] = 0f;
                    }
                }
            }
            return;
        }
        packRows(a, aOff + ic * lda + pc, lda, mc, kc, mr, alpha, dst, 0);
    }

    /**
     * Rows [0, rows) x depth [0, kc) of a row-major A (a[aOff + i*lda + p]) into mr-row panels at dst[dstOff..]:
     * panel q's element (r, p) at dstOff + q*mr*kc + p*mr + r, times alpha; rows past the last zero (packA's layout).
     * Each row is read contiguously and written with stride mr.
     */
    static void packRows(float[] a, int aOff, int lda, int rows, int kc, int mr, float alpha, float[] dst, int dstOff) {
        for (int i0 = 0; i0 < rows; i0 += mr) {
            int panelRows = Math.min(mr, rows - i0);
            int base = dstOff + i0 * kc;
            for (int r = 0; r < panelRows; r++) {
                int src = aOff + (i0 + r) * lda;
                int d = base + r;
                for (int p = 0; p < kc; p++) {
                    dst[d + p * mr] = alpha * a[src + p];
                }
            }
            for (int r = panelRows; r < mr; r++) {
                for (int p = 0; p < kc; p++) {
                    dst[base + r + p * mr] = 0f;
                }
            }
        }
    }

    /**
     * packA's transposed case with each mr-wide piece moved as one vector (a 6-float piece: one load and one store
     * instead of six of each; the scalar loop made a transposed A's GEMM, the weight gradient of every linear layer,
     * run at 0.75 of the same product with A pre-transposed). The vector's lanes past mr spill into the next
     * depths' pieces of the same panel, which are written after it; the last depths, reads that would pass the end
     * of a, and the edge panel (zeros below the edge) go float by float. Full vectors of the kernels' one species:
     * a second float species (masked 256-bit pieces) polluted the JDK's shared vector profiles, see RandomKernels.
     */
    private static void packTransposedPieces(
            float[] a, int aOff, int lda, int ic, int pc, int mc, int kc, float alpha, int mr, float[] dst) {
        int fullPanels = mc / mr;
        int edgeRows = mc - fullPanels * mr;
        int lastVectorSrc = a.length - VL;
        int wideDepths = kc - (VL - 1) / mr; // depths whose spill stays inside their panel
        for (int p = 0; p < kc; p++) {
            int src = aOff + (pc + p) * lda + ic;
            int d = p * mr;
            int q = 0;
            if (p < wideDepths) {
                for (; q < fullPanels && src <= lastVectorSrc; q++, src += mr, d += mr * kc) {
                    FloatVector v = FloatVector.fromArray(S, a, src);
                    (alpha == 1f ? v : v.mul(alpha)).intoArray(dst, d);
                }
            }
            for (; q < fullPanels; q++, src += mr, d += mr * kc) {
                for (int r = 0; r < mr; r++) {
                    dst[d + r] = alpha * a[src + r];
                }
            }
            if (edgeRows > 0) {
                for (int r = 0; r < edgeRows; r++) {
                    dst[d + r] = alpha * a[src + r];
                }
                for (int r = edgeRows; r < mr; r++) {
                    dst[d + r] = 0f;
                }
            }
        }
    }

    /** Packs B panels [q0, q1) of the block depth [pc, pc+kc) x columns [jc, jc+nc) into nr-column panels. */
    static void packB(
            boolean transB,
            float[] b,
            int bOff,
            int ldb,
            int pc,
            int jc,
            int kc,
            int nc,
            int nr,
            float[] dst,
            int q0,
            int q1) {
        int[] gather = null;
        if (transB && (long) (VL - 1) * ldb < Integer.MAX_VALUE) {
            gather = new int[VL]; // lane j reads stored row j: index j*ldb
            for (int j = 0; j < VL; j++) {
                gather[j] = j * ldb;
            }
        }
        for (int q = q0; q < q1; q++) {
            int j0 = q * nr;
            int cols = Math.min(nr, nc - j0);
            int base = q * nr * kc;
            if (transB && gather != null && cols == nr && nr % VL == 0) {
                // B[p][j] = b[bOff + j*ldb + p]: one gather of VL stored rows per depth step and vector
                for (int v = 0; v < nr; v += VL) {
                    int src = bOff + (jc + j0 + v) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        FloatVector.fromArray(S, b, src + p, gather, 0).intoArray(dst, base + p * nr + v);
                    }
                }
            } else if (transB) {
                // B[p][j] = b[bOff + j*ldb + p]: read each column contiguously, write with stride nr
                for (int j = 0; j < cols; j++) {
                    int src = bOff + (jc + j0 + j) * ldb + pc;
                    int d = base + j;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * nr] = b[src + p];
                    }
                }
                for (int j = cols; j < nr; j++) {
                    for (int p = 0; p < kc; p++) {
                        dst[base + j + p * nr] = 0f;
                    }
                }
            } else if (cols == nr && nr % VL == 0) {
                // B[p][j] = b[bOff + p*ldb + j]: whole vectors per depth step
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + j0;
                    int d = base + p * nr;
                    for (int j = 0; j < nr; j += VL) {
                        FloatVector.fromArray(S, b, src + j).intoArray(dst, d + j);
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + jc + j0;
                    int d = base + p * nr;
                    for (int j = 0; j < cols; j++) {
                        dst[d + j] = b[src + j];
                    }
                    for (int j = cols; j < nr; j++) {
                        dst[d + j] = 0f;
                    }
                }
            }
        }
    }
}
