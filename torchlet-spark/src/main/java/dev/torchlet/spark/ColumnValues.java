package dev.torchlet.spark;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;

/** Reads a numeric cell of a Spark row as doubles, whatever external form Spark hands it in. */
public final class ColumnValues {
    private ColumnValues() {}

    /**
     * An ML vector, a Scala {@code Seq} (how Spark returns {@code array<...>} columns), a Java list, or a primitive
     * array (rows built by user code and not yet serialized) -> double[].
     */
    public static double[] numbers(Object cell) {
        return switch (cell) {
            case Vector v -> v.toArray();
            case double[] d -> d;
            case float[] f -> {
                double[] out = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    out[i] = f[i];
                }
                yield out;
            }
            case scala.collection.Seq<?> seq -> {
                double[] out = new double[seq.length()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = ((Number) seq.apply(i)).doubleValue();
                }
                yield out;
            }
            case List<?> list ->
                list.stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
            default ->
                throw new IllegalArgumentException(
                        "expected numbers, got a " + cell.getClass().getName());
        };
    }
}
