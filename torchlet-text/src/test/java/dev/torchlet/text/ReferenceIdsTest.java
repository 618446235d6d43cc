package dev.torchlet.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token ids of real tokenizer files against the reference implementations' ids on the same files
 * (fixtures from tools/text/gen_tokenizer_fixtures.mjs: npm gpt-3-encoder for GPT-2's own files,
 * Hugging Face's @huggingface/tokenizers for tokenizer.json), on texts with non-ASCII and emoji.
 */
class ReferenceIdsTest {
    static final Path RES = Path.of("src/test/resources/tokenizers");
    static JsonNode ref;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void load() throws IOException {
        ref = new ObjectMapper().readTree(RES.resolve("reference_ids.json").toFile());
    }

    static Path bertJson() throws IOException {
        return bertJsonFor(tmp);
    }

    /** bert-base-uncased's tokenizer.json, gunzipped into dir. */
    static Path bertJsonFor(Path dir) throws IOException {
        Path p = dir.resolve("bert-tokenizer.json");
        if (!Files.exists(p)) {
            try (InputStream in =
                    new GZIPInputStream(Files.newInputStream(RES.resolve("bert-base-uncased/tokenizer.json.gz")))) {
                Files.copy(in, p);
            }
        }
        return p;
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    @Test
    void gpt2FilesMatchOpenAiEncoder() throws IOException {
        Tokenizer t = Tokenizers.fromGpt2(RES.resolve("gpt2"));
        JsonNode f = ref.get("gpt2_files");
        for (int i = 0; i < f.get("samples").size(); i++) {
            String s = f.get("samples").get(i).asText();
            int[] ids = t.encode(s);
            assertArrayEquals(ints(f.get("ids").get(i)), ids, "GPT-2 ids of " + s);
            assertEquals(s, t.decode(ids), "GPT-2 round trip of " + s);
        }
        assertEquals(50257, t.vocabSize());
    }

    @Test
    void gpt2TokenizerJsonMatchesHuggingFace() throws IOException {
        Tokenizer t = Tokenizers.fromHuggingFace(RES.resolve("gpt2/tokenizer.json"));
        assertInstanceOf(BpeTokenizer.class, t);
        JsonNode f = ref.get("gpt2_hf");
        for (int i = 0; i < f.get("samples").size(); i++) {
            String s = f.get("samples").get(i).asText();
            int[] ids = t.encode(s);
            assertArrayEquals(ints(f.get("ids").get(i)), ids, "HF GPT-2 ids of " + s);
            assertEquals(f.get("decoded").get(i).asText(), t.decode(ids), "decode of " + s);
            assertEquals(f.get("decoded_skip_special").get(i).asText(), t.decode(ids, true), "decode skip of " + s);
        }
    }

    @Test
    void bertTokenizerJsonMatchesHuggingFace() throws IOException {
        Tokenizer t = Tokenizers.fromHuggingFace(bertJson());
        assertInstanceOf(WordPieceTokenizer.class, t);
        assertEquals(30522, t.vocabSize());
        assertEquals(0, t.padId());
        JsonNode f = ref.get("bert_hf");
        for (int i = 0; i < f.get("samples").size(); i++) {
            String s = f.get("samples").get(i).asText();
            int[] ids = t.encode(s);
            assertArrayEquals(ints(f.get("ids").get(i)), ids, "BERT ids of " + s);
            assertArrayEquals(
                    ints(f.get("ids_no_special").get(i)), t.encode(s, false), "BERT ids (no specials) of " + s);
            assertEquals(f.get("decoded").get(i).asText(), t.decode(ids), "decode of " + s);
            assertEquals(f.get("decoded_skip_special").get(i).asText(), t.decode(ids, true), "decode skip of " + s);
        }
    }
}
