package dev.torchlet.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Torch;
import dev.torchlet.spark.BertModelProvider;
import dev.torchlet.spark.SparkTests;
import dev.torchlet.text.EncodeOptions;
import dev.torchlet.text.Tokenizer;
import dev.torchlet.text.Tokenizers;
import dev.torchlet.text.models.Bert;
import dev.torchlet.text.models.BertConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A text column through a BERT folder (BertModelProvider): the embeddings of `torchlet embed`, row by row. */
class TextInputTest {
    @TempDir
    static Path dir;

    static SparkSession spark;
    static Path bertDir;

    @BeforeAll
    static void setUp() throws Exception {
        spark = SparkTests.spark();
        Torch.manualSeed(21);
        bertDir = dir.resolve("bert");
        new Bert(BertConfig.of(40, 16, 2, 4, 32)).save(bertDir);
        List<String> vocab = new ArrayList<>(List.of(
                "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog", "sat", "on", "mat", "ran", "a",
                "big", "small", "##s", "and", "far", "away", "."));
        while (vocab.size() < 40) {
            vocab.add("w" + vocab.size());
        }
        Files.write(bertDir.resolve("vocab.txt"), vocab);
    }

    static Dataset<Row> texts(String... texts) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            rows.add(RowFactory.create(i, texts[i]));
        }
        return spark.createDataFrame(
                rows, new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType));
    }

    /** One text alone, as `torchlet embed` computes it. */
    static float[] direct(String text, boolean cls) throws Exception {
        Tokenizer tok = Tokenizers.fromHfFolder(bertDir);
        Bert bert = Bert.fromPretrained(bertDir);
        var batch = tok.encodeBatch(List.of(text), EncodeOptions.defaults().withTruncation(512));
        try (var g = Torch.noGrad()) {
            return (cls ? bert.clsEmbeddings(batch) : bert.meanPooledEmbeddings(batch)).toFloatArray();
        }
    }

    static float[] floats(Vector v) {
        double[] d = v.toArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void textsInBatchesOfDifferentLengthsGiveEachTextsOwnEmbedding() throws Exception {
        String[] texts = {
            "the cat sat on the mat.",
            "a dog ran",
            "the big cats and the small dogs ran far away.",
            "cat",
            "the mat sat on a dog and the cat ran."
        };
        for (String pooling : List.of("", ":cls")) {
            List<Row> out = new TorchletModel()
                    .setModelProvider(BertModelProvider.class)
                    .setModel("bert:" + bertDir + pooling)
                    .setInputCol("text")
                    .setBatchSize(3) // padded batches: masks must keep the padding out of every mean
                    .transform(texts(texts))
                    .collectAsList();
            assertEquals(texts.length, out.size());
            for (Row row : out) {
                float[] expected = direct(row.getAs("text"), !pooling.isEmpty());
                assertEquals(16, expected.length);
                assertArrayEquals(expected, floats(row.getAs("features")), 1e-5f, row.getAs("text") + pooling);
            }
        }
    }

    @Test
    void emptyTextsAreInvalidRowsAndLayersAreRefused() {
        List<Row> kept = new TorchletModel()
                .setModelProvider(BertModelProvider.class)
                .setModel("bert:" + bertDir)
                .setInputCol("text")
                .setHandleInvalid("keep")
                .transform(texts("the cat", " "))
                .orderBy("id")
                .collectAsList();
        assertNull(kept.get(1).getAs("features"));
        String error = kept.get(1).getAs("error");
        assertTrue(error.contains("the text is empty"), error);

        var layer = assertThrows(
                IllegalArgumentException.class,
                () -> new TorchletModel()
                        .setModelProvider(BertModelProvider.class)
                        .setModel("bert:" + bertDir)
                        .setInputCol("text")
                        .setLayer("encoder")
                        .transform(texts("the cat")));
        assertTrue(layer.getMessage().contains("a text model's provider decides its output"), layer.getMessage());

        var numbers = assertThrows(
                IllegalArgumentException.class,
                () -> new TorchletModel()
                        .setModelProvider(BertModelProvider.class)
                        .setModel("bert:" + bertDir)
                        .setInputCol("id")
                        .transform(texts("the cat")));
        assertTrue(numbers.getMessage().contains("needs a string column"), numbers.getMessage());
    }
}
