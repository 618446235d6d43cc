package dev.torchlet.data;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a list of samples into a {@link Batch}, like {@code default_collate}.
 *
 * <p>Default rules, per sample type: a {@code Tensor} is stacked into (B, ...); a {@code long/int}
 * label becomes an int64 (B) tensor and a {@code float/double} a float32 (B) tensor; a record
 * ({@code Example(Tensor input, long label)}) or a {@code List}/array of those is collated field by
 * field, the batch tensors named after the record components. Stacking is one array copy per
 * sample into a single new array (no per-element tensor ops).
 */
@FunctionalInterface
public interface Collate<T> {
    Batch collate(List<T> samples);

    /** The default collate described above. */
    static <T> Collate<T> defaultCollate() {
        return Default::collate;
    }

    /** Stacks tensors of equal shape and dtype along a new dim 0: (B, ...). */
    static Tensor stack(List<Tensor> tensors) {
        return Default.stack(tensors, "collate");
    }

    final class Default {
        private static final Map<Class<?>, RecordComponent[]> RECORDS = new ConcurrentHashMap<>();
        private static final Map<Class<?>, Method[]> ACCESSORS = new ConcurrentHashMap<>();

        private Default() {}

        static <T> Batch collate(List<T> samples) {
            if (samples.isEmpty()) {
                throw new IllegalArgumentException("collate: empty batch");
            }
            Object first = samples.getFirst();
            if (first == null) {
                throw new IllegalArgumentException("collate: sample 0 is null");
            }
            Class<?> type = first.getClass();
            if (type.isRecord()) {
                RecordComponent[] comps = RECORDS.computeIfAbsent(type, Class::getRecordComponents);
                Method[] acc = ACCESSORS.computeIfAbsent(type, c -> {
                    Method[] m = new Method[comps.length];
                    for (int k = 0; k < comps.length; k++) {
                        m[k] = comps[k].getAccessor();
                        m[k].setAccessible(true);
                    }
                    return m;
                });
                List<String> names = new ArrayList<>(comps.length);
                List<Tensor> out = new ArrayList<>(comps.length);
                for (int k = 0; k < comps.length; k++) {
                    List<Object> column = new ArrayList<>(samples.size());
                    for (int i = 0; i < samples.size(); i++) {
                        Object s = samples.get(i);
                        if (s == null || s.getClass() != type) {
                            throw new IllegalArgumentException("collate: sample " + i + " is "
                                    + (s == null ? "null" : s.getClass().getSimpleName()) + ", sample 0 is "
                                    + type.getSimpleName());
                        }
                        column.add(read(acc[k], s));
                    }
                    names.add(comps[k].getName());
                    out.add(field(column, type.getSimpleName() + "." + comps[k].getName()));
                }
                return new Batch(names, out);
            }
            if (first instanceof List<?> || first instanceof Object[]) {
                int width = asList(first).size();
                List<String> names = new ArrayList<>(width);
                List<Tensor> out = new ArrayList<>(width);
                for (int k = 0; k < width; k++) {
                    List<Object> column = new ArrayList<>(samples.size());
                    for (int i = 0; i < samples.size(); i++) {
                        List<?> s = asList(samples.get(i));
                        if (s.size() != width) {
                            throw new IllegalArgumentException(
                                    "collate: sample " + i + " has " + s.size() + " fields, sample 0 has " + width);
                        }
                        column.add(s.get(k));
                    }
                    names.add(Integer.toString(k));
                    out.add(field(column, "field " + k));
                }
                return new Batch(names, out);
            }
            return new Batch(List.of("0"), List.of(field(new ArrayList<>(samples), "sample")));
        }

        private static Object read(Method accessor, Object record) {
            try {
                return accessor.invoke(record);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("collate: cannot read " + accessor, e);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("collate: " + accessor + " threw", e.getCause());
            }
        }

        private static List<?> asList(Object o) {
            if (o instanceof List<?> l) {
                return l;
            }
            if (o instanceof Object[] a) {
                return Arrays.asList(a);
            }
            throw new IllegalArgumentException("collate: expected a List or array sample, got "
                    + (o == null ? "null" : o.getClass().getSimpleName()));
        }

        /** Collates one field across the batch. */
        private static Tensor field(List<Object> column, String what) {
            Object first = column.getFirst();
            if (first instanceof Tensor) {
                List<Tensor> ts = new ArrayList<>(column.size());
                for (int i = 0; i < column.size(); i++) {
                    if (!(column.get(i) instanceof Tensor t)) {
                        throw new IllegalArgumentException("collate: " + what + " of sample " + i + " is not a Tensor");
                    }
                    ts.add(t);
                }
                return stack(ts, "collate " + what);
            }
            if (first instanceof Long || first instanceof Integer || first instanceof Short || first instanceof Byte) {
                long[] v = new long[column.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = number(column.get(i), i, what).longValue();
                }
                return TensorInternals.wrap(Storage.of(v), v.length);
            }
            if (first instanceof Float || first instanceof Double) {
                float[] v = new float[column.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = number(column.get(i), i, what).floatValue();
                }
                return TensorInternals.wrap(Storage.of(v), v.length);
            }
            if (first instanceof Boolean) {
                boolean[] v = new boolean[column.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (Boolean) column.get(i);
                }
                return TensorInternals.wrap(Storage.of(v), v.length);
            }
            throw new IllegalArgumentException("collate: cannot batch " + what + " of type "
                    + (first == null ? "null" : first.getClass().getSimpleName())
                    + " (expected Tensor or a number; add a ToTensor transform or pass a custom Collate)");
        }

        private static Number number(Object o, int i, String what) {
            if (o instanceof Number n) {
                return n;
            }
            throw new IllegalArgumentException("collate: " + what + " of sample " + i + " is "
                    + (o == null ? "null" : o.getClass().getSimpleName()) + ", sample 0 is a number");
        }

        static Tensor stack(List<Tensor> tensors, String what) {
            if (tensors.isEmpty()) {
                throw new IllegalArgumentException(what + ": nothing to stack");
            }
            Tensor first = tensors.getFirst();
            int[] shape = TensorInternals.shapeRef(first);
            DType dtype = first.dtype();
            int per = first.numel();
            int n = tensors.size();
            for (int i = 1; i < n; i++) {
                Tensor t = tensors.get(i);
                if (!Arrays.equals(TensorInternals.shapeRef(t), shape) || t.dtype() != dtype) {
                    throw new IllegalArgumentException(
                            what + ": sample " + i + " has shape " + Shape.str(TensorInternals.shapeRef(t))
                                    + " " + t.dtype() + ", sample 0 has " + Shape.str(shape) + " " + dtype
                                    + " (all samples of a batch must match; resize or crop them, or pass a "
                                    + "custom Collate)");
                }
            }
            int[] outShape = new int[shape.length + 1];
            outShape[0] = n;
            System.arraycopy(shape, 0, outShape, 1, shape.length);
            Storage out = Storage.allocate(dtype, Math.multiplyExact(n, per));
            for (int i = 0; i < n; i++) {
                Tensor t = tensors.get(i);
                if (!t.isContiguous()) {
                    t = t.contiguous();
                }
                Object src = array(TensorInternals.storage(t));
                System.arraycopy(src, t.offset(), array(out), i * per, per);
            }
            return TensorInternals.wrap(out, outShape);
        }

        private static Object array(Storage s) {
            return switch (s.dtype()) {
                case FLOAT32 -> s.floats();
                case FLOAT64 -> s.doubles();
                case INT64 -> s.longs();
                case BOOL -> s.bools();
            };
        }
    }
}
