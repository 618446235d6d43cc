package dev.torchlet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.spark.ml.TorchletModel;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark with separate executor JVMs: {@code local-cluster[2,1,1024]} starts a master and two workers in this
 * JVM, and each worker launches an executor process. Workers build the executor class path from SPARK_HOME;
 * there is no Spark distribution here, so the build points SPARK_HOME at target/spark-home (surefire's
 * environment) and this test fills its jars/ folder with links to the Maven jars of the test class path.
 */
class MultiJvmClusterTest {
    @TempDir
    Path tmp;

    /** A SPARK_HOME made of the test class path's jars (RELEASE marks it as a distribution layout). */
    static void prepareSparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.writeString(home.resolve("RELEASE"), "Spark from Maven jars, for torchlet-spark's multi-JVM test\n");
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                Path link = jars.resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p.toAbsolutePath());
                }
            }
        }
    }

    /** Directories of the class path (this module's classes and test classes): the executors' extra class path. */
    static String classDirectories() {
        List<String> dirs = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (Files.isDirectory(Path.of(entry))) {
                dirs.add(Path.of(entry).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, dirs);
    }

    @Test
    void inferenceAndTrainingRunInTwoExecutorProcesses() throws Exception {
        String home = System.getenv("SPARK_HOME");
        assumeTrue(home != null && !home.isEmpty(), "SPARK_HOME is not set (the Maven build sets it)");
        prepareSparkHome(Path.of(home));
        SparkTests.stop(); // one SparkContext per JVM: the local[2] session makes way
        SparkSession cluster = SparkSession.builder()
                .master("local-cluster[2,1,1024]")
                .appName("torchlet-multi-jvm")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.extraClassPath", classDirectories())
                .config("spark.executor.extraJavaOptions", "--enable-native-access=ALL-UNNAMED")
                .getOrCreate();
        try {
            Torch.manualSeed(3);
            Module tiny = TinyProvider.network().eval();
            Path weights = tmp.resolve("tiny.safetensors");
            SafeTensors.write(tiny.stateDict(), weights);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                float[] x = new float[16];
                for (int j = 0; j < 16; j++) {
                    x[j] = (float) Math.sin(i * 16 + j);
                }
                rows.add(RowFactory.create(i, x));
            }
            StructType schema = new StructType()
                    .add("id", DataTypes.IntegerType)
                    .add("x", DataTypes.createArrayType(DataTypes.FloatType, false));
            var df = cluster.createDataFrame(rows, schema).repartition(4);
            var out = new TorchletModel()
                    .setModelProvider(TinyProvider.class)
                    .setModel("tiny:" + weights)
                    .setInputCol("x")
                    .setInputShape(1, 4, 4)
                    .setWeightsTransport("file")
                    .transform(df)
                    .collectAsList();
            assertEquals(8, out.size());
            for (Row row : out) {
                float[] x = toFloats(row.getList(row.fieldIndex("x")));
                Tensor expected;
                try (var g = Torch.noGrad()) {
                    expected = tiny.call(Torch.tensor(x, 1, 1, 4, 4));
                }
                double[] got = ((org.apache.spark.ml.linalg.Vector) row.getAs("features")).toArray();
                float[] f = new float[got.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) got[i];
                }
                assertArrayEquals(expected.toFloatArray(), f, 1e-5f);
            }
            var blockManagers = cluster.sparkContext().getExecutorMemoryStatus();
            assertEquals(3, blockManagers.size(), "driver + 2 executors: " + blockManagers.keySet());
            // The executors, not this JVM, built the model: none was built here under the stage's key.
            assertEquals(0, ExecutorModels.instancesBuilt(TinyProvider.class.getName() + "|tiny:" + weights + "|file"));
        } finally {
            cluster.stop();
        }
    }

    private static float[] toFloats(List<Float> list) {
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = list.get(i);
        }
        return f;
    }
}
