package dev.torchlet.spark;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named tensors as plain Java arrays, the form in which weights, gradients and optimizer state travel
 * between the Spark driver and executors (broadcasts, task results, {@code treeAggregate}). Float tensors
 * keep their type (float32 as {@code float[]}, float64 as {@code double[]}); int64 and bool tensors (batch-norm
 * counters, masks) travel as {@code long[]}.
 *
 * <p>Sums ({@link #addInPlace}) and {@link #scale} act on the floating-point entries only; integer entries keep
 * the value of the first operand (a counter is the same on every worker).
 */
public final class TensorPayload implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> names;
    private final List<int[]> shapes;
    private final List<DType> dtypes;
    private final List<Object> data; // float[] | double[] | long[]

    private TensorPayload(List<String> names, List<int[]> shapes, List<DType> dtypes, List<Object> data) {
        this.names = names;
        this.shapes = shapes;
        this.dtypes = dtypes;
        this.data = data;
    }

    /** Copies the tensors (in map order) into arrays. */
    public static TensorPayload of(Map<String, Tensor> tensors) {
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<DType> dtypes = new ArrayList<>();
        List<Object> data = new ArrayList<>();
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            names.add(e.getKey());
            shapes.add(t.shape().clone());
            dtypes.add(t.dtype());
            data.add(
                    switch (t.dtype()) {
                        case FLOAT32 -> t.toFloatArray();
                        case FLOAT64 -> t.toDoubleArray();
                        case INT64 -> t.toLongArray();
                        case BOOL -> t.toLongArray();
                    });
        }
        return new TensorPayload(names, shapes, dtypes, data);
    }

    /** The tensors again, in the original order and dtypes. */
    public Map<String, Tensor> toTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            int[] shape = shapes.get(i);
            Object d = data.get(i);
            Tensor t = switch (dtypes.get(i)) {
                case FLOAT32 -> Torch.tensor(((float[]) d).clone(), shape);
                case FLOAT64 -> Torch.tensor(((double[]) d).clone(), shape);
                case INT64 -> Torch.tensor(((long[]) d).clone(), shape);
                case BOOL -> Torch.tensor(toBooleans((long[]) d), shape);
            };
            out.put(names.get(i), t);
        }
        return out;
    }

    public List<String> names() {
        return List.copyOf(names);
    }

    public int size() {
        return names.size();
    }

    /** Number of floating-point elements (what a sum or average moves). */
    public long floatElements() {
        long n = 0;
        for (Object d : data) {
            n += d instanceof float[] f ? f.length : d instanceof double[] x ? x.length : 0;
        }
        return n;
    }

    /** Bytes of the arrays (what a broadcast or a task result carries, before compression). */
    public long bytes() {
        long n = 0;
        for (Object d : data) {
            n += d instanceof float[] f
                    ? 4L * f.length
                    : d instanceof double[] x ? 8L * x.length : 8L * ((long[]) d).length;
        }
        return n;
    }

    /** A deep copy. */
    public TensorPayload copy() {
        List<Object> copies = new ArrayList<>();
        for (Object d : data) {
            copies.add(d instanceof float[] f ? f.clone() : d instanceof double[] x ? x.clone() : ((long[]) d).clone());
        }
        return new TensorPayload(new ArrayList<>(names), new ArrayList<>(shapes), new ArrayList<>(dtypes), copies);
    }

    /** this += other, entry by entry (the names, shapes and dtypes must be the same). Returns this. */
    public TensorPayload addInPlace(TensorPayload other) {
        if (!names.equals(other.names)) {
            throw new IllegalArgumentException("TensorPayload.add: different tensors: " + names + " vs " + other.names);
        }
        for (int i = 0; i < data.size(); i++) {
            Object a = data.get(i);
            Object b = other.data.get(i);
            if (!Arrays.equals(shapes.get(i), other.shapes.get(i)) || dtypes.get(i) != other.dtypes.get(i)) {
                throw new IllegalArgumentException("TensorPayload.add: '" + names.get(i) + "' is "
                        + dtypes.get(i) + Arrays.toString(shapes.get(i)) + " here and "
                        + other.dtypes.get(i) + Arrays.toString(other.shapes.get(i)) + " there");
            }
            if (a instanceof float[] x) {
                float[] y = (float[]) b;
                for (int j = 0; j < x.length; j++) {
                    x[j] += y[j];
                }
            } else if (a instanceof double[] x) {
                double[] y = (double[]) b;
                for (int j = 0; j < x.length; j++) {
                    x[j] += y[j];
                }
            }
        }
        return this;
    }

    /** this *= factor on the floating-point entries. Returns this. */
    public TensorPayload scale(double factor) {
        for (Object d : data) {
            if (d instanceof float[] x) {
                for (int j = 0; j < x.length; j++) {
                    x[j] = (float) (x[j] * factor);
                }
            } else if (d instanceof double[] x) {
                for (int j = 0; j < x.length; j++) {
                    x[j] *= factor;
                }
            }
        }
        return this;
    }

    private static boolean[] toBooleans(long[] d) {
        boolean[] out = new boolean[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = d[i] != 0;
        }
        return out;
    }
}
