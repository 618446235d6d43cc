package dev.torchlet;

import dev.torchlet.autograd.GradMode;
import dev.torchlet.internal.TensorInternals;
import java.util.ArrayList;

/**
 * Inference mode, PyTorch's {@code torch.inference_mode()}: a scope that records no graph (as {@link Torch#noGrad()})
 * and, in addition, recycles the buffers of intermediate activations. Inside it, the operations that write every
 * element of their output (convolutions) take the output's array from a pool instead of allocating one, and the
 * model's own code ({@code Sequential} and the zoo's blocks, through {@code Module.releaseIntermediate}) hands an
 * intermediate output's array back once the layers that read it have run. The next image's activations then land
 * in arrays that are still in the caches, instead of in fresh memory the JVM must zero first: a batch-1 ResNet-50
 * writes about 60 MB of new activations per image without it.
 *
 * <p>An image stem reads an NCHW batch as it is: a convolution of a contiguous NCHW batch of at most 4 channels
 * transposes it into its padded channels-last scratch and writes channels-last, so the network after it runs the
 * channels-last kernels without the caller converting the batch.
 *
 * <p>A Linear layer large enough for the packed GEMM also keeps its weight packed for the GEMM with the weight's
 * storage (repacked when the weight changes; a second copy of those weights while the model lives). Attention's
 * output comes from the pool too (its probabilities stay in per-thread blocks in any scope without a gradient).
 *
 * <p>A forward that records no graph outside the scope recycles the same way: a frozen network (transfer
 * learning's backbone, batch norms on batch statistics) or a no-grad scope. There an op's output comes from the pool
 * when none of its inputs needs a gradient, and a model hands an intermediate back only when neither it nor the
 * layer's output that read it requires a gradient (no backward pass can read it then).
 *
 * <p>What is recycled is only what an op allocated from the pool inside the scope, never an input, a parameter or
 * a tensor the model returns, and nothing inside a module with a forward hook in its subtree (hooks may keep what
 * they see: feature extraction, explanations). A
 * module of the user's own that keeps a reference to an intermediate output (not its final one) must copy it; if
 * it does not, using the kept tensor fails with a clear error rather than reading another layer's values.
 *
 * <p>The pool is shared by all threads (an array serves any tensor it is long enough for) and holds at most
 * {@link #MAX_POOLED_FLOATS} floats; the flag is per thread, like grad mode.
 */
public final class InferenceMode {
    /** At most 2^26 floats (256 MB) wait in the pool; beyond that a released array is left to the collector. */
    static final long MAX_POOLED_FLOATS = 1L << 26;
    /**
     * A recycled array serves a tensor of at least 1/SLACK of its length by preference (a small tensor in a huge
     * buffer would leave the next large tensor a cold one), any shorter one when nothing else fits.
     */
    static final int SLACK = 4;

    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** Released arrays, the most recently released last: its first elements are the likeliest still in cache. */
    private static final ArrayList<float[]> FREE = new ArrayList<>();

    private static long pooledFloats;

    private InferenceMode() {}

    /** Whether this thread is inside an inference-mode scope. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Enters inference mode (and no-grad) until the scope is closed: {@code try (var s = ...) { ... }}. */
    public static Scope enter() {
        return new Scope(ENABLED.get(), GradMode.scope(false));
    }

    /**
     * Internal: the storage for an op's float output of n elements, which the op fills completely. In inference
     * mode its array comes from the pool (contents unspecified; possibly longer than n, the storage being its first
     * n elements) and may go back to it; otherwise it is new.
     *
     * <p>The pool hands out the most recently released array that fits (one of at most SLACK times n first): its
     * first megabytes were written moments ago and are still in the caches, so the op writes to cache rather than
     * memory. Keyed by exact length, as it was at first, each of MobileNetV2's activation sizes had arrays of its
     * own, last written one image earlier: every such write brought its lines in from memory first.
     */
    public static Storage outputStorage(int n) {
        return isEnabled() ? takeFromPool(n, SLACK) : Storage.of(new float[n]);
    }

    /** A pooled storage of n floats over the most recent array of n to slack * n floats, else any longer one. */
    private static Storage takeFromPool(int n, int slack) {
        float[] reused = null;
        synchronized (FREE) {
            int snug = -1; // the most recent array that fits with at most slack times n
            int any = -1; // the most recent array that fits at all
            for (int i = FREE.size() - 1; i >= 0 && snug < 0; i--) {
                int len = FREE.get(i).length;
                if (len >= n && (long) len <= (long) slack * n) {
                    snug = i;
                } else if (len >= n && any < 0 && slack > 1) {
                    any = i;
                }
            }
            int index = snug >= 0 ? snug : any;
            if (index >= 0) {
                reused = FREE.remove(index);
                pooledFloats -= reused.length;
            }
        }
        Storage s = Storage.pooled(reused != null ? reused : new float[n], n);
        s.backwardPass = BACKWARD_PASS.get()[0];
        return s;
    }

    /** This thread's current backward pass, 0 outside one: the pooled storages it takes are tagged with it. */
    private static final ThreadLocal<int[]> BACKWARD_PASS = ThreadLocal.withInitial(() -> new int[1]);

    private static final java.util.concurrent.atomic.AtomicInteger BACKWARD_PASSES =
            new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Internal, for the autograd engine: until the returned scope closes, the pooled storages this thread takes (the
     * gradients the backward functions make, whose ops run without a graph) belong to a new backward pass, and
     * {@link BackwardPass#recycle} may hand them back to the pool once the engine has consumed them. A gradient
     * then lands in an array the previous one left in the caches instead of in fresh memory the JVM zeroes first
     * (a DDPM U-Net's step at batch 32 makes about 1 GB of gradients).
     */
    public static BackwardPass enterBackward() {
        int[] slot = BACKWARD_PASS.get();
        BackwardPass pass = new BackwardPass(slot[0], BACKWARD_PASSES.incrementAndGet());
        slot[0] = pass.id;
        return pass;
    }

    /** One backward pass's claim on the gradients it makes (see {@link #enterBackward}). */
    public static final class BackwardPass implements AutoCloseable {
        private final int previous;
        private final int id;

        private BackwardPass(int previous, int id) {
            this.previous = previous;
            this.id = id;
        }

        /**
         * Hands s's array back to the pool if this pass took it and it is still held; the caller guarantees that
         * nothing reads s (or a view of it) afterwards. Any other storage is left alone.
         */
        public void recycle(Storage s) {
            if (s.backwardPass != id || !s.isPooled()) {
                return;
            }
            offer(s.release());
        }

        @Override
        public void close() {
            BACKWARD_PASS.get()[0] = previous;
        }
    }

    /**
     * Internal: the storage for the float output of n elements of an op that records no autograd graph (none of its
     * inputs needs a gradient: a frozen network, a no-grad scope) and fills it completely. It comes from the pool
     * whether or not inference mode is on: in a forward without a graph the model's code hands its intermediates
     * back ({@link #recycleUnrecorded}), and a frozen backbone's activations then land in cached arrays as in
     * inference mode (ResNet-18's frozen fine-tuning step, batch 16: 1.4x). Outside inference mode only an array of
     * exactly n floats is reused: such outputs may become gradients, which optimizers read whole.
     */
    public static Storage unrecordedOutputStorage(int n) {
        return takeFromPool(n, isEnabled() ? SLACK : 1);
    }

    /**
     * Internal: in inference mode, hands the array of {@code dead}'s storage back to the pool, unless it did not
     * come from the pool or one of {@code live} (nulls allowed) shares it. Callers guarantee that nothing reads
     * {@code dead} (or a view of it) afterwards; a stale read fails (see {@link Storage#floats()}).
     */
    public static void recycle(Tensor dead, Tensor... live) {
        if (isEnabled()) {
            giveBack(dead, live);
        }
    }

    /**
     * Internal: {@link #recycle} in inference mode, and outside it too when neither {@code dead} nor any of {@code
     * live} takes part in an autograd graph (none requires a gradient): then no backward pass can read {@code dead},
     * and the caller (a model's forward, once the layers that read it have run) guarantees nothing else does.
     */
    public static void recycleUnrecorded(Tensor dead, Tensor... live) {
        if (dead == null) {
            return;
        }
        boolean unrecorded = !dead.requiresGrad();
        for (Tensor t : live) {
            unrecorded &= t == null || !t.requiresGrad();
        }
        if (isEnabled() || unrecorded) {
            giveBack(dead, live);
        }
    }

    private static void giveBack(Tensor dead, Tensor... live) {
        if (dead == null) {
            return;
        }
        Storage s = TensorInternals.storage(dead);
        if (!s.isPooled()) {
            return;
        }
        for (Tensor t : live) {
            if (t != null && TensorInternals.storage(t) == s) {
                return;
            }
        }
        offer(s.release());
    }

    /** Puts a released array in the pool, unless the pool is full (then the collector takes it). */
    private static void offer(float[] data) {
        synchronized (FREE) {
            if (pooledFloats + data.length <= MAX_POOLED_FLOATS) {
                FREE.add(data);
                pooledFloats += data.length;
            }
        }
    }

    /** How many floats wait in the pool (for tests). */
    static long pooledFloats() {
        synchronized (FREE) {
            return pooledFloats;
        }
    }

    /** Drops every pooled array (memory back to the collector). */
    public static void clearPool() {
        synchronized (FREE) {
            FREE.clear();
            pooledFloats = 0;
        }
    }

    /** Restores the previous inference and grad modes on close; {@code close()} throws nothing. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;
        private final GradMode.Scope grad;

        private Scope(boolean previous, GradMode.Scope grad) {
            this.previous = previous;
            this.grad = grad;
            ENABLED.set(true);
        }

        @Override
        public void close() {
            ENABLED.set(previous);
            grad.close();
        }
    }
}
