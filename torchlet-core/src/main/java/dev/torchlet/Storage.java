package dev.torchlet;

/**
 * The flat, GC-managed primitive array behind one or more tensors (views share it).
 * Exactly one of the arrays is non-null, matching {@link #dtype()}.
 */
public final class Storage {
    private final DType dtype;
    /** Null once {@link #release released} to {@link InferenceMode}'s buffer pool. */
    private float[] f32;

    private final double[] f64;
    private final long[] i64;
    private final boolean[] bool;
    /** Bumped by every in-place write through the public API (see {@link #version()}). */
    private int version;
    /** Whether f32 came from {@link InferenceMode}'s buffer pool, so that it may go back to it. */
    private boolean pooled;
    /**
     * The values that belong to a pooled storage: its array may be longer (a recycled buffer of a larger tensor).
     * -1 for every other storage, whose array is exactly its values.
     */
    private int pooledLength = -1;
    /** The backward pass that took this pooled storage for a gradient ({@link InferenceMode#enterBackward}), or 0. */
    int backwardPass;
    /** A value a kernel derived from this storage's contents (see {@link #derived()}). */
    private volatile Object derived;

    private Storage(DType dtype, float[] f32, double[] f64, long[] i64, boolean[] bool) {
        this.dtype = dtype;
        this.f32 = f32;
        this.f64 = f64;
        this.i64 = i64;
        this.bool = bool;
    }

    public static Storage of(float[] data) {
        return new Storage(DType.FLOAT32, data, null, null, null);
    }

    public static Storage of(double[] data) {
        return new Storage(DType.FLOAT64, null, data, null, null);
    }

    public static Storage of(long[] data) {
        return new Storage(DType.INT64, null, null, data, null);
    }

    public static Storage of(boolean[] data) {
        return new Storage(DType.BOOL, null, null, null, data);
    }

    /**
     * A storage of n float32 values over an array taken from {@link InferenceMode}'s buffer pool: the array's
     * first n elements (it may be longer, a buffer recycled from a larger tensor).
     */
    static Storage pooled(float[] data, int n) {
        if (n > data.length) {
            throw new IllegalArgumentException(
                    "storage: a pooled array of " + data.length + " floats cannot hold " + n);
        }
        Storage s = of(data);
        s.pooled = true;
        s.pooledLength = n;
        return s;
    }

    /** Whether this storage's array came from the inference buffer pool and is still held. */
    boolean isPooled() {
        return pooled && f32 != null;
    }

    /** Gives up the array (which goes back to the pool): any later use of this storage fails with a clear error. */
    float[] release() {
        float[] data = f32;
        f32 = null;
        return data;
    }

    /** A zero-filled storage of n elements. */
    public static Storage allocate(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> of(new float[n]);
            case FLOAT64 -> of(new double[n]);
            case INT64 -> of(new long[n]);
            case BOOL -> of(new boolean[n]);
        };
    }

    public DType dtype() {
        return dtype;
    }

    /**
     * How many times this storage was written in place after it was created, like PyTorch's {@code _version}:
     * {@code Tensor.copyFrom} (and so loading a state dict, initializers and fusion) and every optimizer step
     * bump it. Caches of values derived from a tensor (a convolution's packed weights) compare it to know that
     * the tensor is unchanged. Kernels that fill a new output do not bump it.
     */
    public int version() {
        return version;
    }

    /** Records an in-place write (see {@link #version()}); code that writes into an existing storage calls it. */
    public void bumpVersion() {
        version++;
    }

    /**
     * Internal: the value a kernel last derived from this storage's contents and kept with it (a convolution's
     * packed weights), or null. The value records the {@link #version()} it was derived at; a reader checks it.
     */
    public Object derived() {
        return derived;
    }

    /** Internal: keeps a value derived from this storage's contents (see {@link #derived()}). */
    public void setDerived(Object value) {
        derived = value;
    }

    public int length() {
        return switch (dtype) {
            case FLOAT32 -> pooledLength >= 0 ? pooledLength : floats().length;
            case FLOAT64 -> f64.length;
            case INT64 -> i64.length;
            case BOOL -> bool.length;
        };
    }

    public float[] floats() {
        if (f32 == null && dtype == DType.FLOAT32) {
            throw new IllegalStateException("This tensor's buffer was recycled: a module kept an intermediate output"
                    + " of a forward that records no graph (Torch.inferenceMode(), Torch.noGrad() or a frozen network;"
                    + " copy it with clone() to keep it), or a backward function kept a gradient it was given or made"
                    + " after the pass consumed it");
        }
        return f32;
    }

    public double[] doubles() {
        return f64;
    }

    public long[] longs() {
        return i64;
    }

    public boolean[] bools() {
        return bool;
    }

    /** Reads element i as a double, whatever the dtype. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> floats()[i];
            case FLOAT64 -> f64[i];
            case INT64 -> i64[i];
            case BOOL -> bool[i] ? 1 : 0;
        };
    }

    /** Writes element i from a double, converting to the dtype (truncating toward zero for int64). */
    public void setDouble(int i, double v) {
        switch (dtype) {
            case FLOAT32 -> floats()[i] = (float) v;
            case FLOAT64 -> f64[i] = v;
            case INT64 -> i64[i] = (long) v;
            case BOOL -> bool[i] = v != 0;
        }
    }

    public long getLong(int i) {
        return switch (dtype) {
            case FLOAT32 -> (long) floats()[i];
            case FLOAT64 -> (long) f64[i];
            case INT64 -> i64[i];
            case BOOL -> bool[i] ? 1 : 0;
        };
    }
}
