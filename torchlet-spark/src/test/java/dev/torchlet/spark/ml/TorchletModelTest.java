package dev.torchlet.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.spark.ModelArchitecture;
import dev.torchlet.spark.SparkTests;
import dev.torchlet.spark.TinyProvider;
import dev.torchlet.spark.ZooModelProvider;
import dev.torchlet.vision.features.FeatureExtractor;
import dev.torchlet.vision.models.Models;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TorchletModel in real Spark (local[2]): every input kind against a direct forward of the same weights. */
class TorchletModelTest {
    /** Spark runs the same kernels on the same inputs: features agree to float rounding of the batch layout. */
    private static final double TOL = 1e-5;

    @TempDir
    static Path dir;

    static SparkSession spark;
    static Module tiny;
    static String tinySpec;

    @BeforeAll
    static void setUp() throws Exception {
        spark = SparkTests.spark();
        Torch.manualSeed(7);
        tiny = TinyProvider.network().eval();
        Path weights = dir.resolve("tiny.safetensors");
        SafeTensors.write(tiny.stateDict(), weights);
        tinySpec = "tiny:" + weights;
    }

    private static TorchletModel tinyStage(String inputCol) {
        return new TorchletModel()
                .setModelProvider(TinyProvider.class)
                .setModel(tinySpec)
                .setInputCol(inputCol)
                .setBatchSize(3);
    }

    private static float[] direct(Module model, Tensor x) {
        try (var g = Torch.noGrad()) {
            return model.call(x.unsqueeze(0)).toFloatArray();
        }
    }

    private static Dataset<Row> arrays(int n) {
        Random rnd = new Random(1);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] f = new float[16];
            for (int j = 0; j < 16; j++) {
                f[j] = (float) rnd.nextGaussian();
            }
            rows.add(RowFactory.create(i, f));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType)
                .add("x", DataTypes.createArrayType(DataTypes.FloatType, false));
        return spark.createDataFrame(rows, schema).repartition(2);
    }

    private static float[] floats(Row row, String col) {
        Object v = row.getAs(col);
        if (v instanceof Vector vec) {
            double[] d = vec.toArray();
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        List<Float> list = row.getList(row.fieldIndex(col));
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = list.get(i);
        }
        return f;
    }

    private static float[] input(Row row) {
        return floats(row, "x");
    }

    @Test
    void numericArraysReshapedMatchADirectForward() {
        for (String transport : List.of("auto", "broadcast", "file")) {
            List<Row> out = tinyStage("x")
                    .setInputShape(1, 4, 4)
                    .setWeightsTransport(transport)
                    .transform(arrays(10))
                    .collectAsList();
            assertEquals(10, out.size(), transport);
            for (Row row : out) {
                float[] expected = direct(tiny, Torch.tensor(input(row), 1, 4, 4));
                assertArrayEquals(expected, floats(row, "features"), (float) TOL, transport);
            }
        }
    }

    @Test
    void vectorsInArraysOutAndAnIntermediateLayer() {
        Dataset<Row> df = arrays(5);
        List<Row> asVectors = new ArrayList<>();
        for (Row r : df.collectAsList()) {
            float[] f = input(r);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            asVectors.add(RowFactory.create(r.getInt(0), Vectors.dense(d)));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType)
                .add("v", org.apache.spark.ml.linalg.SQLDataTypes.VectorType());
        List<Row> out = tinyStage("v")
                .setInputShape(1, 4, 4)
                .setLayer("1") // the ReLU after the convolution: (2, 4, 4) -> 32 numbers
                .setOutputType("array")
                .setOutputCol("relu")
                .transform(spark.createDataFrame(asVectors, schema))
                .collectAsList();
        assertEquals(5, out.size());
        for (Row row : out) {
            double[] d = ((Vector) row.getAs("v")).toArray();
            float[] f = new float[d.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) d[i];
            }
            Tensor features;
            try (var g = Torch.noGrad()) {
                features = FeatureExtractor.of(tiny, "1")
                        .extract(Torch.tensor(f, 1, 1, 4, 4))
                        .get("1");
            }
            assertArrayEquals(features.toFloatArray(), floats(row, "relu"), (float) TOL);
        }
    }

    /** Writes n small PNGs (random colours, different sizes) and one corrupt file if asked. */
    private static Path images(String name, int n, boolean corrupt) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        Random rnd = new Random(3);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(6 + i, 5 + 2 * i, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, rnd.nextInt(1 << 24));
                }
            }
            ImageIO.write(img, "png", folder.resolve("img" + i + ".png").toFile());
        }
        if (corrupt) {
            Files.write(folder.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        }
        return folder;
    }

    private static float[] directImage(Path file) throws Exception {
        ModelArchitecture arch = new TinyProvider().architecture("tiny");
        return direct(tiny, arch.imageTransform().apply(Image.read(file, 1)));
    }

    private static Path pathOf(String uriOrPath) {
        return uriOrPath.startsWith("file:") ? Path.of(java.net.URI.create(uriOrPath)) : Path.of(uriOrPath);
    }

    @Test
    void imageStructBinaryFilesAndPathsGiveTheSameFeatures() throws Exception {
        Path folder = images("same", 4, false);
        Dataset<Row> structs = spark.read().format("image").load(folder.toString());
        for (Row row : tinyStage("image").transform(structs).collectAsList()) {
            Path file = pathOf(row.getStruct(row.fieldIndex("image")).getString(0));
            assertArrayEquals(directImage(file), floats(row, "features"), (float) TOL, file.toString());
        }
        Dataset<Row> binary = spark.read().format("binaryFile").load(folder.toString());
        List<Row> fromBytes = tinyStage("content").transform(binary).collectAsList();
        assertEquals(4, fromBytes.size());
        for (Row row : fromBytes) {
            Path file = pathOf(row.getAs("path"));
            assertArrayEquals(directImage(file), floats(row, "features"), (float) TOL, file.toString());
        }
        List<Row> fromPaths = tinyStage("path").transform(binary.select("path")).collectAsList();
        for (Row row : fromPaths) {
            assertArrayEquals(directImage(pathOf(row.getAs("path"))), floats(row, "features"), (float) TOL);
        }
    }

    @Test
    void aCorruptImageFailsTheJobByNameOrIsSkippedOrKept() throws Exception {
        Path folder = images("corrupt", 3, true);
        Dataset<Row> binary = spark.read().format("binaryFile").load(folder.toString());
        Exception e = assertThrows(
                Exception.class, () -> tinyStage("content").transform(binary).collectAsList());
        assertTrue(rootMessages(e).contains("broken.png"), rootMessages(e));
        assertTrue(rootMessages(e).contains("setHandleInvalid"), rootMessages(e));

        assertEquals(
                3,
                tinyStage("content").setHandleInvalid("skip").transform(binary).count());

        List<Row> kept =
                tinyStage("content").setHandleInvalid("keep").transform(binary).collectAsList();
        assertEquals(4, kept.size());
        for (Row row : kept) {
            boolean broken = row.<String>getAs("path").endsWith("broken.png");
            if (broken) {
                assertNull(row.getAs("features"));
                assertTrue(row.<String>getAs("error").contains("broken.png"), row.<String>getAs("error"));
            } else {
                assertNotNull(row.getAs("features"));
                assertNull(row.getAs("error"));
            }
        }
    }

    static String rootMessages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    @Test
    void savedAndLoadedAloneAndInAPipeline() throws Exception {
        TorchletModel stage =
                tinyStage("x").setInputShape(1, 4, 4).setLayer("1").setOutputType("array");
        String path = dir.resolve("stage").toString();
        stage.save(path);
        TorchletModel loaded = TorchletModel.load(path);
        assertEquals(stage.uid(), loaded.uid());
        assertEquals(tinySpec, loaded.getModel());
        assertArrayEquals(new int[] {1, 4, 4}, loaded.getInputShape());
        assertEquals("1", loaded.getLayer());
        assertEquals(3, loaded.getBatchSize());

        Dataset<Row> df = arrays(6);
        PipelineModel fitted =
                new Pipeline().setStages(new PipelineStage[] {stage}).fit(df);
        String pipePath = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(pipePath);
        PipelineModel reloaded = PipelineModel.load(pipePath);
        List<Row> a = fitted.transform(df).orderBy("id").collectAsList();
        List<Row> b = reloaded.transform(df).orderBy("id").collectAsList();
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(floats(a.get(i), "features"), floats(b.get(i), "features"));
        }
    }

    @Test
    void badInputIsNamed() throws Exception {
        Dataset<Row> df = arrays(4);
        var missing = assertThrows(
                IllegalArgumentException.class, () -> tinyStage("pixels").transform(df));
        assertTrue(
                missing.getMessage().contains("'pixels' does not exist")
                        && missing.getMessage().contains("id, x"),
                missing.getMessage());
        var wrongType = assertThrows(
                IllegalArgumentException.class, () -> tinyStage("id").transform(df));
        assertTrue(wrongType.getMessage().contains("'id' has type int"), wrongType.getMessage());
        var noModel = assertThrows(
                IllegalArgumentException.class,
                () -> new TorchletModel().setInputCol("x").transform(df));
        assertTrue(noModel.getMessage().contains("no model set"), noModel.getMessage());
        var taken = assertThrows(
                IllegalArgumentException.class,
                () -> tinyStage("x").setOutputCol("id").transform(df));
        assertTrue(taken.getMessage().contains("'id' already exists"), taken.getMessage());
        var badShape = assertThrows(
                Exception.class,
                () -> tinyStage("x").setInputShape(1, 5, 5).transform(df).collectAsList());
        assertTrue(rootMessages(badShape).contains("inputShape [1, 5, 5] needs 25"), rootMessages(badShape));

        String unreadable = "tiny:" + dir.resolve("no-such-weights.safetensors");
        var noWeights = assertThrows(
                Exception.class,
                () -> tinyStage("x")
                        .setModel(unreadable)
                        .setInputShape(1, 4, 4)
                        .setWeightsTransport("file")
                        .transform(df)
                        .collectAsList());
        assertTrue(
                rootMessages(noWeights).contains("cannot read the weights of model '" + unreadable + "'"),
                rootMessages(noWeights));

        Dataset<Row> empty = df.limit(0);
        assertEquals(0, tinyStage("x").setInputShape(1, 4, 4).transform(empty).count());
    }

    @Test
    void aZooModelsIntermediateLayerMatchesTorchletsFeatureExtractor() throws Exception {
        Torch.manualSeed(11);
        Module resnet = Models.create("resnet18", 1000).eval();
        Path weights = dir.resolve("resnet18.safetensors");
        SafeTensors.write(resnet.stateDict(), weights);
        Path folder = images("zoo", 2, false);
        Dataset<Row> structs = spark.read().format("image").load(folder.toString());
        List<Row> out = new TorchletModel()
                .setModel("zoo:resnet18:" + weights)
                .setLayer("avgpool")
                .setInputCol("image")
                .transform(structs)
                .collectAsList();
        assertEquals(2, out.size());
        var transform =
                new ZooModelProvider().architecture("zoo:resnet18:" + weights).imageTransform();
        for (Row row : out) {
            Path file = pathOf(row.getStruct(row.fieldIndex("image")).getString(0));
            Tensor expected;
            try (var g = Torch.noGrad()) {
                expected = FeatureExtractor.of(resnet, "avgpool")
                        .extract(transform.apply(Image.read(file)).unsqueeze(0))
                        .get("avgpool");
            }
            float[] f = floats(row, "features");
            assertEquals(512, f.length);
            assertArrayEquals(expected.toFloatArray(), f, 1e-4f, file.toString());
        }
    }

    @Test
    void featuresFeedASparkLogisticRegressionInOnePipeline() {
        // Labels that the layer-"1" features determine (one feature above its median), so the head can learn them.
        Dataset<Row> df = arrays(40);
        List<Row> rows = df.collectAsList();
        float[] key = new float[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            try (var g = Torch.noGrad()) {
                key[i] = FeatureExtractor.of(tiny, "1")
                        .extract(Torch.tensor(input(rows.get(i)), 1, 1, 4, 4))
                        .get("1")
                        .toFloatArray()[5];
            }
        }
        float[] sorted = key.clone();
        java.util.Arrays.sort(sorted);
        float median = sorted[sorted.length / 2];
        List<Row> labelled = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            labelled.add(RowFactory.create(rows.get(i).getInt(0), input(rows.get(i)), key[i] >= median ? 1.0 : 0.0));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType)
                .add("x", DataTypes.createArrayType(DataTypes.FloatType, false))
                .add("label", DataTypes.DoubleType);
        Dataset<Row> train = spark.createDataFrame(labelled, schema);
        PipelineModel model = new Pipeline()
                .setStages(new PipelineStage[] {
                    tinyStage("x").setInputShape(1, 4, 4).setLayer("1"),
                    new LogisticRegression().setMaxIter(200).setRegParam(0.0)
                })
                .fit(train);
        long correct = model.transform(train).filter("prediction = label").count();
        assertTrue(correct >= 38, correct + " of 40 right");
    }
}
