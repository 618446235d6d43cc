package dev.torchlet.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * Float scratch arrays that kernels hand back after a call, so that the next call reuses them instead of allocating:
 * the JVM zeroes every new array on the allocating thread, which for a convolution's padded input (0.85 MB for 64
 * channels at 56 x 56) is serial time while the other threads wait. A taken array holds whatever its last user left
 * in it: callers write every element they read.
 *
 * <p>At most {@link #MAX_BUFFERS} arrays and {@link #MAX_FLOATS} floats in all are kept (a 64 MB bound on what a
 * process holds on to); beyond that a returned array is left to the garbage collector. Safe to use from any thread.
 */
final class ScratchBuffers {
    static final int MAX_BUFFERS = 8;
    static final long MAX_FLOATS = 1L << 24;

    private static final List<float[]> FREE = new ArrayList<>();
    private static long freeFloats;

    private ScratchBuffers() {}

    /** An array of at least minLength floats, contents unspecified: the smallest free one that fits, else a new one. */
    static float[] take(int minLength) {
        synchronized (FREE) {
            int best = -1;
            for (int i = 0; i < FREE.size(); i++) {
                int len = FREE.get(i).length;
                if (len >= minLength && (best < 0 || len < FREE.get(best).length)) {
                    best = i;
                }
            }
            if (best >= 0) {
                float[] buf = FREE.remove(best);
                freeFloats -= buf.length;
                return buf;
            }
        }
        return new float[minLength];
    }

    /** Drops every kept array (for tests that fill the pool with arrays of their own). */
    static void clear() {
        synchronized (FREE) {
            FREE.clear();
            freeFloats = 0;
        }
    }

    /**
     * Hands an array back for reuse (the caller must not touch it afterwards). When the pool is full it replaces the
     * smallest kept array if it is larger: small arrays serve small requests as well as large ones do, and keeping
     * the first eight small ones (a Winograd block's buffers, say) made every padded input after them a new array.
     */
    static void give(float[] buf) {
        synchronized (FREE) {
            if (FREE.size() < MAX_BUFFERS && freeFloats + buf.length <= MAX_FLOATS) {
                FREE.add(buf);
                freeFloats += buf.length;
                return;
            }
            int smallest = -1;
            for (int i = 0; i < FREE.size(); i++) {
                if (smallest < 0 || FREE.get(i).length < FREE.get(smallest).length) {
                    smallest = i;
                }
            }
            if (smallest >= 0
                    && FREE.get(smallest).length < buf.length
                    && freeFloats - FREE.get(smallest).length + buf.length <= MAX_FLOATS) {
                freeFloats += buf.length - FREE.get(smallest).length;
                FREE.set(smallest, buf);
            }
        }
    }
}
