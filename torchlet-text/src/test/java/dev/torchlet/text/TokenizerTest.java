package dev.torchlet.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {
    @TempDir
    Path tmp;

    static final List<String> CORPUS = List.of(
            "In the beginning God created the heaven and the earth.",
            "And the earth was without form, and void; and darkness was upon the face of the deep.",
            "And God said, Let there be light: and there was light.",
            "And God saw the light, that it was good: and God divided the light from the darkness.");

    @Test
    void charTokenizerRoundTripsCodePoints() throws IOException {
        CharTokenizer t = CharTokenizer.fromText("abc 😀é", true);
        assertEquals(7, t.vocabSize()); // <unk> + 6 code points (the emoji is one)
        int[] ids = t.encode("ca😀b");
        assertEquals(4, ids.length);
        assertEquals("ca😀b", t.decode(ids));
        assertEquals(0, t.encode("z")[0], "unknown character -> <unk>");
        Path f = tmp.resolve("chars.json");
        t.save(f);
        CharTokenizer back = CharTokenizer.load(f);
        assertArrayEquals(ids, back.encode("ca😀b"));
        CharTokenizer strict = CharTokenizer.fromText("ab", false);
        var e = assertThrows(IllegalArgumentException.class, () -> strict.encode("abz"));
        assertTrue(e.getMessage().contains("'z' (U+007A) at position 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CharTokenizer.fromText("", true));
    }

    @Test
    void wordTokenizerHasSpecialsUnknownAndLowercasing() throws IOException {
        WordTokenizer t = WordTokenizer.train(CORPUS, true, 1, 0);
        assertEquals(0, t.padId());
        int[] ids = t.encode("And God said: Zebra!");
        assertEquals(t.tokenToId(WordTokenizer.BOS), ids[0]);
        assertEquals(t.tokenToId(WordTokenizer.EOS), ids[ids.length - 1]);
        assertEquals(t.tokenToId(WordTokenizer.UNK), ids[5], "zebra is unknown");
        assertEquals("[BOS] and god said : [UNK] [UNK] [EOS]", t.decode(ids), "'!' is not in the corpus either");
        assertEquals("and god said :", t.decode(ids, true));
        assertEquals(List.of("the", "face", ",", "42", "café"), WordTokenizer.split("The face, 42 Café", true));
        // most frequent first after the 4 specials: "the" (9 times) then "and" (8)
        assertEquals("the", t.idToToken(4));
        assertEquals("and", t.idToToken(5));
        WordTokenizer small = WordTokenizer.train(CORPUS, true, 3, 0);
        assertTrue(small.vocabSize() < t.vocabSize());
        Path f = tmp.resolve("words.json");
        t.save(f);
        assertArrayEquals(ids, WordTokenizer.load(f).encode("And God said: Zebra!"));
        var e = assertThrows(IllegalArgumentException.class, () -> WordTokenizer.train(List.of(" ", ""), true, 1, 0));
        assertTrue(e.getMessage().contains("corpus is empty"), e.getMessage());
    }

    @Test
    void bpeTrainsEncodesDecodesSavesAndLoads() throws IOException {
        BpeTokenizer t = BpeTokenizer.train(CORPUS, 300, 1, List.of("<|endoftext|>"));
        assertEquals(300, t.vocabSize());
        assertEquals(0, t.tokenToId("<|endoftext|>"));
        assertArrayEquals(new String[] {"t", "h"}, t.merges().getFirst(), "the most frequent pair is 'th'");
        assertEquals(300 - 257, t.merges().size());
        String text = "And God saw the light. Ünïcödé 😀 and new words<|endoftext|>";
        int[] ids = t.encode(text);
        assertEquals(text, t.decode(ids));
        assertEquals(text.replace("<|endoftext|>", ""), t.decode(ids, true));
        assertEquals(0, ids[ids.length - 1]);
        assertTrue(ids.length < text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, "merges shorten it");
        // saved as a Hugging Face tokenizer.json and loaded back
        Path f = tmp.resolve("tokenizer.json");
        t.save(f);
        Tokenizer back = Tokenizers.fromHuggingFace(f);
        assertArrayEquals(ids, back.encode(text));
        assertEquals(t.vocabSize(), back.vocabSize());
        var e = assertThrows(
                IllegalArgumentException.class, () -> BpeTokenizer.train(List.of("", ""), 300, 1, List.of()));
        assertTrue(e.getMessage().contains("corpus is empty"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BpeTokenizer.train(CORPUS, 100, 1, List.of()));
        var d = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {5000}));
        assertTrue(d.getMessage().contains("id 5000"), d.getMessage());
    }

    @Test
    void batchEncodingTruncatesPadsAndMasks() throws IOException {
        Tokenizer bert = Tokenizers.fromHuggingFace(ReferenceIdsTest.bertJsonFor(tmp));
        var texts = List.of("hello world", "a much longer sentence that will be cut short here", "hi");
        BatchEncoding fixed = bert.encodeBatch(texts, EncodeOptions.fixedLength(8));
        assertEquals(8, fixed.length());
        int[] first = fixed.ids()[0];
        assertArrayEquals(new int[] {101, 7592, 2088, 102, 0, 0, 0, 0}, first);
        assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0, 0, 0}, fixed.mask()[0]);
        assertEquals(101, fixed.ids()[1][0]);
        assertEquals(102, fixed.ids()[1][7], "[SEP] kept when truncating");
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, fixed.mask()[1]);
        assertArrayEquals(new int[] {3, 8}, fixed.inputIds().shape());
        assertEquals(dev.torchlet.DType.INT64, fixed.attentionMask().dtype());
        // longest padding, on the left, no specials
        BatchEncoding left = bert.encodeBatch(
                List.of("hello world", "hi"),
                EncodeOptions.defaults().withSpecialTokens(false).withPadLeft(true));
        assertArrayEquals(new int[] {7592, 2088}, left.ids()[0]);
        assertArrayEquals(new int[] {0, 7632}, left.ids()[1]);
        assertArrayEquals(new int[] {0, 1}, left.mask()[1]);
        // truncating on the left keeps the end of the text
        BatchEncoding tail = bert.encodeBatch(
                List.of("one two three four"), EncodeOptions.fixedLength(4).withTruncateLeft(true));
        assertArrayEquals(new int[] {101, 2093, 2176, 102}, tail.ids()[0]);
        var e = assertThrows(
                IllegalArgumentException.class, () -> bert.encodeBatch(texts, EncodeOptions.fixedLength(1)));
        assertTrue(e.getMessage().contains("no room"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bert.encodeBatch(List.of(), EncodeOptions.defaults()));
    }

    @Test
    void unknownTokenizerKindsAreRefusedClearly() throws IOException {
        Path unigram = tmp.resolve("unigram.json");
        Files.writeString(unigram, "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        var e = assertThrows(IOException.class, () -> Tokenizers.fromHuggingFace(unigram));
        assertTrue(e.getMessage().contains("'Unigram'") && e.getMessage().contains("WordPiece"), e.getMessage());
        Path noModel = tmp.resolve("x.json");
        Files.writeString(noModel, "{\"hello\": 1}");
        e = assertThrows(IOException.class, () -> Tokenizers.fromHuggingFace(noModel));
        assertTrue(e.getMessage().contains("no \"model\""), e.getMessage());
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{not json");
        e = assertThrows(IOException.class, () -> Tokenizers.fromHuggingFace(bad));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        Path spm = tmp.resolve("spm.json");
        Files.writeString(
                spm,
                "{\"normalizer\": null, \"pre_tokenizer\": {\"type\": \"Metaspace\"},"
                        + " \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}");
        e = assertThrows(IOException.class, () -> Tokenizers.fromHuggingFace(spm));
        assertTrue(e.getMessage().contains("'Metaspace'"), e.getMessage());
        e = assertThrows(IOException.class, () -> Tokenizers.fromHuggingFace(tmp.resolve("missing.json")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        e = assertThrows(IOException.class, () -> Tokenizers.fromGpt2(tmp));
        assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
    }

    /** Fuzzer findings (docs/security.md, 9-11): ids and merges are checked when the files load. */
    @Test
    void badIdsAndMergesAreRefusedWhenLoading() throws IOException {
        String pre =
                "{\"normalizer\": null, \"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", ";
        Path huge = tmp.resolve("huge.json");
        Files.writeString(huge, pre + "\"vocab\": {\"a\": 0, \"b\": 80333333333333333333}, \"merges\": []}}");
        var e = assertThrows(IOException.class, () -> Tokenizers.fromHuggingFace(huge));
        assertTrue(e.getMessage().contains("the id of token 'b' is 80333333333333333333"), e.getMessage());
        Path shared = tmp.resolve("shared.json");
        Files.writeString(shared, pre + "\"vocab\": {\"a\": 0, \"b\": 0}, \"merges\": []}}");
        e = assertThrows(IOException.class, () -> Tokenizers.fromHuggingFace(shared));
        assertTrue(e.getMessage().contains("id 0 is used by both 'a' and 'b'"), e.getMessage());
        Path merge = tmp.resolve("merge.json");
        Files.writeString(merge, pre + "\"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [\"a b\"]}}");
        e = assertThrows(IOException.class, () -> Tokenizers.fromHuggingFace(merge));
        assertTrue(e.getMessage().contains("merge 0 'a b': 'ab' is not in the vocabulary"), e.getMessage());
        Path sparse = tmp.resolve("sparse.json");
        Files.writeString(sparse, pre + "\"vocab\": {\"a\": 0, \"b\": 2000000000}, \"merges\": []}}");
        Tokenizer t = Tokenizers.fromHuggingFace(sparse); // a sparse id allocates nothing by itself
        assertEquals("b", t.idToToken(2000000000));
    }
}
