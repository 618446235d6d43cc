package dev.torchlet.spark.train;

import dev.torchlet.spark.ColumnValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A training DataFrame split into {@code partitions} cached {@link Shard}s: row i goes to partition i mod P (by
 * its position in the DataFrame), so the split is the same in every run and after a resume.
 */
final class ShardedData {
    private ShardedData() {}

    /** Validates the columns (errors name them and their types) and builds the cached shards. */
    static JavaRDD<Shard> of(Dataset<Row> df, String featuresCol, String labelCol, int[] inputShape, int partitions) {
        List<String> names = Arrays.asList(df.schema().fieldNames());
        for (String col : List.of(featuresCol, labelCol)) {
            if (!names.contains(col)) {
                throw new IllegalArgumentException("DataParallelTrainer: column '" + col + "' does not exist; columns: "
                        + String.join(", ", names));
            }
        }
        DataType featureType = df.schema().apply(featuresCol).dataType();
        boolean numbers = featureType.equals(SQLDataTypes.VectorType())
                || (featureType instanceof ArrayType a
                        && (a.elementType().equals(DataTypes.FloatType)
                                || a.elementType().equals(DataTypes.DoubleType)));
        if (!numbers) {
            throw new IllegalArgumentException("DataParallelTrainer: features column '" + featuresCol + "' has type "
                    + featureType.simpleString() + "; expected an ML vector, array<float> or array<double>");
        }
        DataType labelType = df.schema().apply(labelCol).dataType();
        if (!(labelType instanceof NumericType)) {
            throw new IllegalArgumentException("DataParallelTrainer: label column '" + labelCol + "' has type "
                    + labelType.simpleString() + "; expected a number");
        }
        int[] shape = inputShape.clone();
        JavaPairRDD<Long, Row> indexed = df.select(featuresCol, labelCol)
                .javaRDD()
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
                .partitionBy(new HashPartitioner(partitions));
        JavaRDD<Shard> shards = indexed.mapPartitionsWithIndex(
                        (partition, it) -> List.of(toShard(partition, it, shape, featuresCol, labelCol))
                                .iterator(),
                        true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        return shards;
    }

    private static Shard toShard(
            int partition, Iterator<Tuple2<Long, Row>> it, int[] inputShape, String featuresCol, String labelCol) {
        List<Tuple2<Long, Row>> rows = new ArrayList<>();
        it.forEachRemaining(rows::add);
        rows.sort(Comparator.comparingLong(Tuple2::_1));
        int d = -1;
        float[] x = null;
        float[] y = new float[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            long index = rows.get(i)._1();
            Row row = rows.get(i)._2();
            if (row.isNullAt(0) || row.isNullAt(1)) {
                throw new IllegalArgumentException("DataParallelTrainer: row " + index + " has a null "
                        + (row.isNullAt(0)
                                ? "features column '" + featuresCol + "'"
                                : "label column '" + labelCol + "'"));
            }
            double[] f = ColumnValues.numbers(row.get(0));
            if (d < 0) {
                d = f.length;
                x = new float[rows.size() * d];
            }
            if (f.length != d) {
                throw new IllegalArgumentException("DataParallelTrainer: row " + index + " has " + f.length
                        + " features" + " but earlier rows have " + d);
            }
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) f[j];
            }
            y[i] = ((Number) row.get(1)).floatValue();
        }
        int[] rowShape = inputShape.length == 0 ? new int[] {Math.max(d, 0)} : inputShape;
        long expected = Arrays.stream(rowShape).asLongStream().reduce(1, (a, b) -> a * b);
        if (d >= 0 && expected != d) {
            throw new IllegalArgumentException("DataParallelTrainer: rows have " + d + " features but inputShape "
                    + Arrays.toString(rowShape) + " needs " + expected);
        }
        return new Shard(partition, rowShape, x == null ? new float[0] : x, y);
    }

    /** Rows per partition, in partition order (a small job: only the counts travel). */
    static int[] rowCounts(JavaRDD<Shard> shards) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (int[] pc : shards.map(s -> new int[] {s.partition, s.rows}).collect()) {
            counts.put(pc[0], pc[1]);
        }
        return counts.values().stream().mapToInt(Integer::intValue).toArray();
    }
}
