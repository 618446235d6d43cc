package dev.torchlet.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.optim.SGD;
import dev.torchlet.spark.SparkTests;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-parallel training in real Spark (local[2]) against the same training in one process. */
class DataParallelTrainerTest {
    /** Same arithmetic in another order (partition sums, then the division): float rounding only. */
    private static final float TOL = 2e-6f;

    static SparkSession spark;
    static float[][] x;
    static int[] y;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        spark = SparkTests.spark();
        Random rnd = new Random(5);
        x = new float[32][4];
        y = new int[32];
        for (int i = 0; i < 32; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = (float) rnd.nextGaussian();
            }
            y[i] = rnd.nextInt(3);
        }
    }

    static Module mlp() {
        return new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    }

    static Dataset<Row> frame(int rows) {
        List<Row> list = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            list.add(RowFactory.create(x[i], y[i]));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false))
                .add("label", DataTypes.IntegerType);
        return spark.createDataFrame(list, schema);
    }

    /** Rows idx as one batch: (n, 4) features and int64 labels. */
    static Tensor[] batch(List<Integer> idx) {
        float[] f = new float[idx.size() * 4];
        long[] t = new long[idx.size()];
        for (int i = 0; i < idx.size(); i++) {
            System.arraycopy(x[idx.get(i)], 0, f, i * 4, 4);
            t[i] = y[idx.get(i)];
        }
        return new Tensor[] {Torch.tensor(f, idx.size(), 4), Torch.tensor(t, idx.size())};
    }

    static Module initial(long seed) {
        Torch.manualSeed(seed);
        return mlp();
    }

    static void assertSameWeights(Module expected, Module actual, float tol) {
        for (var e : expected.stateDict().entrySet()) {
            assertArrayEquals(
                    e.getValue().toFloatArray(),
                    actual.stateDict().get(e.getKey()).toFloatArray(),
                    tol,
                    e.getKey());
        }
    }

    static DataParallelTrainer.Builder sync() {
        return DataParallelTrainer.builder(DataParallelTrainerTest::mlp)
                .optimizer(m -> new SGD(m.parameters(), 0.1, 0.9))
                .loss(F::crossEntropy)
                .partitions(2)
                .globalBatchSize(8);
    }

    @Test
    void synchronousStepsEqualOneProcessOnTheConcatenatedBatch() {
        Module spark = initial(1);
        var summary = sync().epochs(2).shuffle(false).build().fit(spark, frame(16));
        assertEquals(4, summary.steps());
        assertArrayEquals(new int[] {8, 8}, summary.shardRows());

        // Row i sits in partition i % 2; step s takes rows 4s..4s+3 of each partition: global rows 8s..8s+7.
        Module local = initial(1);
        Optimizer sgd = new SGD(local.parameters(), 0.1, 0.9);
        double lastLoss = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int s = 0; s < 2; s++) {
                List<Integer> idx = new ArrayList<>();
                for (int i = 8 * s; i < 8 * s + 8; i++) {
                    idx.add(i);
                }
                Tensor[] b = batch(idx);
                sgd.zeroGrad();
                Tensor loss = F.crossEntropy(local.call(b[0]), b[1]);
                loss.backward();
                sgd.step();
                lastLoss = loss.itemDouble();
            }
        }
        assertSameWeights(local, spark, TOL);
        assertTrue(Double.isFinite(lastLoss));
    }

    @Test
    void parameterAveragingAveragesLocalStepsAndOptimizerState() {
        Module spark = initial(2);
        DataParallelTrainer.builder(DataParallelTrainerTest::mlp)
                .optimizer(m -> new SGD(m.parameters(), 0.1, 0.9))
                .loss(F::crossEntropy)
                .partitions(2)
                .globalBatchSize(8)
                .mode(DataParallelTrainer.Mode.PARAMETER_AVERAGING)
                .averagingFrequency(2)
                .epochs(2)
                .shuffle(false)
                .build()
                .fit(spark, frame(16));

        // By hand: 2 rounds of 2 local steps per partition (4 rows each), then the mean of weights and momenta.
        Module global = initial(2);
        Map<String, Tensor> optimizerState = new SGD(global.parameters(), 0.1, 0.9).stateDict();
        for (int round = 0; round < 2; round++) {
            List<Map<String, Tensor>> weights = new ArrayList<>();
            List<Map<String, Tensor>> states = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                Module local = mlp();
                local.loadStateDict(global.stateDict());
                Optimizer sgd = new SGD(local.parameters(), 0.1, 0.9);
                sgd.loadStateDict(optimizerState);
                for (int s = 0; s < 2; s++) { // step s of the epoch: rows 4s..4s+3 of partition p
                    List<Integer> idx = new ArrayList<>();
                    for (int k = 4 * s; k < 4 * s + 4; k++) {
                        idx.add(2 * k + p);
                    }
                    Tensor[] b = batch(idx);
                    sgd.zeroGrad();
                    F.crossEntropy(local.call(b[0]), b[1]).backward();
                    sgd.step();
                }
                weights.add(local.stateDict());
                states.add(sgd.stateDict());
            }
            global.loadStateDict(mean(weights));
            optimizerState = mean(states);
        }
        assertSameWeights(global, spark, TOL);
    }

    private static Map<String, Tensor> mean(List<Map<String, Tensor>> maps) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : maps.get(0).keySet()) {
            Tensor sum = maps.get(0).get(k).to(DType.FLOAT64);
            for (int i = 1; i < maps.size(); i++) {
                sum = sum.add(maps.get(i).get(k).to(DType.FLOAT64));
            }
            out.put(k, sum.div(maps.size()).to(maps.get(0).get(k).dtype()));
        }
        return out;
    }

    /** Fails on the given call (counted across partitions) of a test run, to stand for a lost executor. */
    static final AtomicInteger CALLS = new AtomicInteger();

    static final int FAIL_AT = 7; // step 4 (two calls per step)

    static Tensor failingLoss(Tensor out, Tensor target) {
        if (CALLS.incrementAndGet() == FAIL_AT) {
            throw new IllegalStateException("simulated executor failure");
        }
        return F.crossEntropy(out, target);
    }

    @Test
    void aFailedJobResumesFromTheCheckpointWithTheSameSteps() {
        Module uninterrupted = initial(3);
        sync().epochs(3).seed(9).build().fit(uninterrupted, frame(32));

        Path checkpoint = dir.resolve("run.safetensors");
        Module first = initial(3);
        CALLS.set(0);
        DataParallelTrainer failing = sync().epochs(3)
                .seed(9)
                .loss(DataParallelTrainerTest::failingLoss)
                .checkpoint(checkpoint, 1)
                .build();
        Exception e = assertThrows(Exception.class, () -> failing.fit(first, frame(32)));
        assertTrue(String.valueOf(e.getMessage()).contains("simulated executor failure"), e.getMessage());

        Module resumed = initial(99); // a fresh process: weights come from the checkpoint
        var summary = sync().epochs(3).seed(9).checkpoint(checkpoint, 1).build().fit(resumed, frame(32));
        assertEquals(3, summary.resumedFromStep());
        assertEquals(12, summary.steps());
        assertSameWeights(uninterrupted, resumed, TOL);
    }

    @Test
    void batchNormRunningStatisticsAreAveragedOverPartitions() {
        Torch.manualSeed(4);
        ModuleFactory withBn = () -> new Sequential(new Linear(4, 6), new BatchNorm1d(6), new ReLU(), new Linear(6, 3));
        Module model = withBn.create();
        DataParallelTrainer.builder(withBn)
                .optimizer(m -> new SGD(m.parameters(), 0.05))
                .loss(F::crossEntropy)
                .partitions(2)
                .globalBatchSize(8)
                .shuffle(false)
                .build()
                .fit(model, frame(8));
        // One step: each partition's BN saw its own 4 rows (row i is in partition i % 2); the driver keeps the
        // mean of the two running means and variances.
        Torch.manualSeed(4);
        Module start = withBn.create();
        Tensor[] expected = {null, null};
        for (int p = 0; p < 2; p++) {
            Module local = withBn.create();
            local.loadStateDict(start.stateDict());
            local.train().call(batch(List.of(p, p + 2, p + 4, p + 6))[0]);
            for (int k = 0; k < 2; k++) {
                Tensor stat = local.stateDict().get(k == 0 ? "1.running_mean" : "1.running_var");
                expected[k] = expected[k] == null ? stat.div(2) : expected[k].add(stat.div(2));
            }
        }
        assertArrayEquals(
                expected[0].toFloatArray(),
                model.stateDict().get("1.running_mean").toFloatArray(),
                TOL);
        assertArrayEquals(
                expected[1].toFloatArray(),
                model.stateDict().get("1.running_var").toFloatArray(),
                TOL);
        assertEquals(1L, model.stateDict().get("1.num_batches_tracked").toLongArray()[0]);
    }

    @Test
    void badInputIsNamed() {
        Module model = initial(1);
        var missing = assertThrows(
                IllegalArgumentException.class,
                () -> sync().featuresCol("pixels").build().fit(model, frame(16)));
        assertTrue(missing.getMessage().contains("'pixels' does not exist"), missing.getMessage());
        var labels = assertThrows(
                IllegalArgumentException.class,
                () -> sync().labelCol("features").build().fit(model, frame(16)));
        assertTrue(labels.getMessage().contains("label column 'features' has type array<float>"), labels.getMessage());
        var empty = assertThrows(
                IllegalArgumentException.class,
                () -> sync().build().fit(model, frame(16).limit(0)));
        assertTrue(empty.getMessage().contains("training DataFrame is empty"), empty.getMessage());
        var small = assertThrows(
                IllegalArgumentException.class,
                () -> sync().globalBatchSize(32).build().fit(model, frame(16)));
        assertTrue(small.getMessage().contains("fewer than one step's share"), small.getMessage());
        var uneven = assertThrows(
                IllegalArgumentException.class, () -> sync().globalBatchSize(7).build());
        assertTrue(uneven.getMessage().contains("multiple of partitions"), uneven.getMessage());
        var shape = assertThrows(
                Exception.class, () -> sync().inputShape(1, 2, 3).build().fit(model, frame(16)));
        assertTrue(String.valueOf(shape.getMessage()).contains("inputShape [1, 2, 3] needs 6"), shape.getMessage());
    }
}
