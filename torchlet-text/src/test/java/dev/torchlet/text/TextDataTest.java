package dev.torchlet.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.data.Batch;
import dev.torchlet.data.BucketSampler;
import dev.torchlet.data.DataLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextDataTest {
    @TempDir
    Path tmp;

    @Test
    void padSequencesPadsAndTruncatesOnEitherSide() {
        List<int[]> seqs = List.of(new int[] {1, 2, 3}, new int[] {4}, new int[] {5, 6, 7, 8, 9});
        Tensor post = Sequences.padSequences(seqs);
        assertEquals(DType.INT64, post.dtype());
        assertArrayEquals(new int[] {3, 5}, post.shape());
        assertArrayEquals(new long[] {1, 2, 3, 0, 0, 4, 0, 0, 0, 0, 5, 6, 7, 8, 9}, post.toLongArray());
        int[][] pre = Sequences.padSequencesToArray(seqs, 4, Sequences.Side.PRE, Sequences.Side.PRE, -1);
        assertArrayEquals(new int[] {-1, 1, 2, 3}, pre[0]);
        assertArrayEquals(new int[] {-1, -1, -1, 4}, pre[1]);
        assertArrayEquals(new int[] {6, 7, 8, 9}, pre[2]);
        int[][] postCut = Sequences.padSequencesToArray(seqs, 2, Sequences.Side.POST, Sequences.Side.POST, 0);
        assertArrayEquals(new int[] {5, 6}, postCut[2]);
        assertThrows(IllegalArgumentException.class, () -> Sequences.padSequences(List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> Sequences.padSequences(seqs, -1, Sequences.Side.POST, Sequences.Side.POST, 0));
    }

    @Test
    void datasetFromFoldersCsvAndJsonLines() throws IOException {
        Path root = tmp.resolve("folders");
        Files.createDirectories(root.resolve("spam"));
        Files.createDirectories(root.resolve("ham"));
        Files.writeString(root.resolve("spam/1.txt"), "buy now");
        Files.writeString(root.resolve("spam/2.txt"), "cheap pills");
        Files.writeString(root.resolve("ham/1.txt"), "see you at lunch");
        var folders = TextClassificationDataset.fromFolders(root);
        assertEquals(List.of("ham", "spam"), folders.classes());
        assertEquals(3, folders.size());
        assertEquals(new TextExample("see you at lunch", 0), folders.get(0));
        assertEquals(1, folders.get(2).label());

        Path csv = tmp.resolve("d.csv");
        Files.writeString(csv, "id,text,label\n1,\"hello, \"\"world\"\"\nsecond line\",pos\n2,bad,neg\n\n");
        var c = TextClassificationDataset.fromCsv(csv, "text", "label");
        assertEquals(2, c.size());
        assertEquals("hello, \"world\"\nsecond line", c.get(0).text());
        assertEquals(List.of("neg", "pos"), c.classes());
        var e = assertThrows(IOException.class, () -> TextClassificationDataset.fromCsv(csv, "body", "label"));
        assertTrue(e.getMessage().contains("no column named 'body'"), e.getMessage());

        Path jsonl = tmp.resolve("d.jsonl");
        Files.writeString(jsonl, "{\"text\": \"a\", \"label\": \"x\"}\n\n{\"text\": \"b\", \"label\": \"y\"}\n");
        var j = TextClassificationDataset.fromJsonLines(jsonl, "text", "label");
        assertEquals(2, j.size());
        assertEquals(1, j.get(1).label());
        Files.writeString(jsonl, "{\"text\": \"a\"}\n");
        e = assertThrows(IOException.class, () -> TextClassificationDataset.fromJsonLines(jsonl, "text", "label"));
        assertTrue(e.getMessage().contains("line 1 has no 'label'"), e.getMessage());
        Files.writeString(jsonl, "\n\n");
        var empty = assertThrows(
                IllegalArgumentException.class, () -> TextClassificationDataset.fromJsonLines(jsonl, "text", "label"));
        assertTrue(empty.getMessage().contains("no samples"), empty.getMessage());
    }

    @Test
    void shippedFortunesTrainABucketedLoader() throws IOException {
        var fortunes = TextCorpora.fortunes();
        assertEquals(2930, fortunes.size());
        assertEquals(List.of("computers", "food", "law", "politics", "science", "sports"), fortunes.classes());
        WordTokenizer tok = WordTokenizer.train(fortunes.texts(), true, 2, 5000);
        var data = fortunes.tokenized(tok, 64);
        int[] lengths = TextClassificationDataset.lengths(data);
        for (int l : lengths) {
            assertTrue(l >= 2 && l <= 64, "length " + l);
        }
        var loader = new DataLoader<>(
                data,
                new DataLoader.Options(32, false, 1).withSampler(new BucketSampler(lengths, 32, 10, true)),
                new TextCollate(tok.padId()));
        int samples = 0;
        long padding = 0;
        for (Batch b : loader) {
            Tensor x = b.inputs();
            Tensor mask = b.get("attention_mask");
            assertArrayEquals(x.shape(), mask.shape());
            assertEquals(b.size(), b.labels().numel());
            samples += b.size();
            padding += x.numel() - (long) mask.sum().item();
        }
        assertEquals(2930, samples);
        long tokens = java.util.Arrays.stream(lengths).asLongStream().sum();
        assertTrue(padding < tokens / 10, "bucketing keeps padding small: " + padding + " pads for " + tokens);
    }

    @Test
    void shippedKjvTrainsAByteLevelBpe() throws IOException {
        String kjv = TextCorpora.kjv();
        String[] verses = kjv.split("\n");
        assertEquals(31102, verses.length);
        assertTrue(verses[0].startsWith("Ge1:1 In the beginning God created the heaven and the earth."));
        var tok = BpeTokenizer.train(List.of(verses).subList(0, 2000), 400, 2, List.of());
        String v = verses[31101];
        assertEquals(v, tok.decode(tok.encode(v)));
    }
}
