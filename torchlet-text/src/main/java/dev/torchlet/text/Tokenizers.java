package dev.torchlet.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Loads existing tokenizers: a Hugging Face {@code tokenizer.json} (byte-level BPE as GPT-2,
 * RoBERTa or Llama 3 use it; WordPiece as BERT uses it) or GPT-2's original vocabulary and merge files.
 * Anything else (Unigram, SentencePiece-style BPE, unknown normalizers) is refused with a message
 * that names what was found.
 */
public final class Tokenizers {
    private Tokenizers() {}

    /** A Hugging Face {@code tokenizer.json} with a byte-level BPE or a WordPiece model. */
    public static Tokenizer fromHuggingFace(Path tokenizerJson) throws IOException {
        JsonNode root = Vocabulary.readJson(tokenizerJson);
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new IOException("tokenizer.json: " + tokenizerJson + " has no \"model\" object; is it a Hugging Face "
                    + "tokenizer.json?");
        }
        String type = model.path("type").asText("");
        if (type.isEmpty()) { // old files leave the type out
            type = model.has("merges") ? "BPE" : model.has("continuing_subword_prefix") ? "WordPiece" : "";
        }
        return switch (type) {
            case "BPE" -> bpe(root, model, tokenizerJson);
            case "WordPiece" -> wordPiece(root, model, tokenizerJson);
            default ->
                throw new IOException("tokenizer.json: " + tokenizerJson + " has a model of type '" + type
                        + "'; supported are 'BPE' (byte-level) and 'WordPiece'");
        };
    }

    /**
     * The tokenizer of a Hugging Face model folder: its {@code tokenizer.json}, else BERT's {@code vocab.txt}
     * (lowercased unless {@code tokenizer_config.json} says {@code "do_lower_case": false}).
     */
    public static Tokenizer fromHfFolder(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            return fromHuggingFace(dir.resolve("tokenizer.json"));
        }
        if (Files.isRegularFile(dir.resolve("vocab.txt"))) {
            boolean lower = true;
            Path cfg = dir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(cfg)) {
                lower = Vocabulary.readJson(cfg).path("do_lower_case").asBoolean(true);
            }
            return fromBertVocab(dir.resolve("vocab.txt"), lower);
        }
        throw new java.nio.file.NoSuchFileException(
                dir.toString(), null, "the folder has no tokenizer.json or vocab.txt");
    }

    /** GPT-2's files in a folder: vocab.json (or encoder.json) and merges.txt (or vocab.bpe). */
    public static BpeTokenizer fromGpt2(Path dir) throws IOException {
        Path vocab = first(dir, "vocab.json", "encoder.json");
        Path merges = first(dir, "merges.txt", "vocab.bpe");
        return BpeTokenizer.fromGpt2Files(vocab, merges);
    }

    /**
     * BERT's original {@code vocab.txt} (one WordPiece token a line, id = line number) with HF's
     * BertTokenizer defaults: [CLS] text [SEP], [UNK], [PAD], "##" continuations; lowercase (with accent
     * stripping) for uncased models.
     */
    public static WordPieceTokenizer fromBertVocab(Path vocabTxt, boolean lowercase) throws IOException {
        if (!Files.isRegularFile(vocabTxt)) {
            throw new IOException("BERT tokenizer: no such file " + vocabTxt);
        }
        List<String> lines = Files.readAllLines(vocabTxt, java.nio.charset.StandardCharsets.UTF_8);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        int n = lines.size();
        while (n > 0 && lines.get(n - 1).isBlank()) {
            n--; // a final newline
        }
        for (int i = 0; i < n; i++) {
            if (vocab.put(lines.get(i).strip(), i) != null) {
                throw new IOException("BERT tokenizer: " + vocabTxt + " line " + (i + 1) + ": token '"
                        + lines.get(i).strip() + "' appears twice");
            }
        }
        for (String needed : new String[] {"[UNK]", "[CLS]", "[SEP]"}) {
            if (!vocab.containsKey(needed)) {
                throw new IOException("BERT tokenizer: " + vocabTxt + " has no " + needed + " token (expected BERT's "
                        + "vocab.txt with [PAD], [UNK], [CLS], [SEP], [MASK])");
            }
        }
        Set<String> specials = new HashSet<>();
        for (String sp : new String[] {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
            if (vocab.containsKey(sp)) {
                specials.add(sp);
            }
        }
        return new WordPieceTokenizer(
                vocab,
                "[UNK]",
                "##",
                100,
                lowercase ? WordPieceTokenizer.Normalization.uncased() : WordPieceTokenizer.Normalization.cased(),
                new int[] {vocab.get("[CLS]")},
                new int[] {vocab.get("[SEP]")},
                Map.of(),
                specials,
                vocab.containsKey("[PAD]") ? "[PAD]" : null,
                true);
    }

    private static Path first(Path dir, String... names) throws IOException {
        for (String n : names) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        throw new IOException("GPT-2 tokenizer: " + dir + " has none of " + String.join(", ", names));
    }

    private static BpeTokenizer bpe(JsonNode root, JsonNode model, Path file) throws IOException {
        for (String unsupported : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(unsupported).asText("").isEmpty()) {
                throw new IOException("tokenizer.json: " + file + ": BPE with " + unsupported + " '"
                        + model.get(unsupported).asText() + "' is not supported (only byte-level BPE)");
            }
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new IOException("tokenizer.json: " + file + ": BPE with byte_fallback (SentencePiece style) is not "
                    + "supported (only byte-level BPE)");
        }
        if (!root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()) {
            throw new IOException("tokenizer.json: " + file + ": a BPE normalizer of type '"
                    + root.get("normalizer").path("type").asText() + "' is not supported (byte-level BPE files have "
                    + "none)");
        }
        Pattern split = ByteLevel.GPT2_PATTERN;
        boolean addPrefixSpace;
        JsonNode pre = root.path("pre_tokenizer");
        String preType = pre.path("type").asText("");
        if (preType.equals("ByteLevel")) {
            addPrefixSpace = pre.path("add_prefix_space").asBoolean(false);
            if (!pre.path("use_regex").asBoolean(true)) {
                split = Pattern.compile("(?s).+");
            }
        } else if (preType.equals("Sequence")
                && pre.path("pretokenizers").size() == 2
                && pre.path("pretokenizers").get(0).path("type").asText().equals("Split")
                && pre.path("pretokenizers").get(1).path("type").asText().equals("ByteLevel")) {
            JsonNode s = pre.get("pretokenizers").get(0);
            String regex = s.path("pattern").path("Regex").asText(null);
            if (regex == null
                    || !s.path("behavior").asText().equals("Isolated")
                    || s.path("invert").asBoolean()) {
                throw new IOException("tokenizer.json: " + file + ": only a Split pre-tokenizer with a Regex pattern "
                        + "and behavior Isolated is supported, found " + s);
            }
            try {
                split = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
            } catch (PatternSyntaxException e) {
                throw new IOException(
                        "tokenizer.json: " + file + ": the split pattern does not compile in Java: " + e.getMessage(),
                        e);
            }
            addPrefixSpace =
                    pre.get("pretokenizers").get(1).path("add_prefix_space").asBoolean(false);
        } else {
            throw new IOException("tokenizer.json: " + file + ": BPE with pre-tokenizer '"
                    + (preType.isEmpty() ? "none" : preType) + "' is not supported (only ByteLevel, as GPT-2)");
        }
        JsonNode v = model.path("vocab");
        if (!v.isObject()) {
            throw new IOException("tokenizer.json: " + file + ": model.vocab is not an object {token: id}");
        }
        Map<String, Integer> vocab = Vocabulary.tokenIds(v, "tokenizer.json: " + file);
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isArray() && m.size() == 2) {
                merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else if (m.isTextual()) {
                String[] p = m.asText().split(" ");
                if (p.length != 2) {
                    throw new IOException(
                            "tokenizer.json: " + file + ": merge '" + m.asText() + "' is not two symbols");
                }
                merges.add(p);
            } else {
                throw new IOException("tokenizer.json: " + file + ": merge " + m + " is neither \"a b\" nor [a, b]");
            }
        }
        Map<String, Integer> added = new LinkedHashMap<>();
        Set<String> specials = new HashSet<>();
        addedTokens(root, added, specials, file);
        try {
            return new BpeTokenizer(
                    vocab,
                    merges,
                    added,
                    specials,
                    split,
                    addPrefixSpace,
                    model.path("ignore_merges").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IOException("tokenizer.json: " + file + ": " + e.getMessage(), e);
        }
    }

    private static WordPieceTokenizer wordPiece(JsonNode root, JsonNode model, Path file) throws IOException {
        JsonNode n = root.path("normalizer");
        WordPieceTokenizer.Normalization norm;
        if (n.isNull() || n.isMissingNode()) {
            norm = new WordPieceTokenizer.Normalization(false, false, false, false);
        } else if (n.path("type").asText().equals("BertNormalizer")) {
            norm = new WordPieceTokenizer.Normalization(
                    n.path("clean_text").asBoolean(true),
                    n.path("handle_chinese_chars").asBoolean(true),
                    n.path("strip_accents").isBoolean() ? n.get("strip_accents").asBoolean() : null,
                    n.path("lowercase").asBoolean(true));
        } else {
            throw new IOException("tokenizer.json: " + file + ": WordPiece with normalizer '"
                    + n.path("type").asText() + "' is not supported (only BertNormalizer)");
        }
        String preType = root.path("pre_tokenizer").path("type").asText("");
        if (!preType.equals("BertPreTokenizer")) {
            throw new IOException("tokenizer.json: " + file + ": WordPiece with pre-tokenizer '"
                    + (preType.isEmpty() ? "none" : preType) + "' is not supported (only BertPreTokenizer)");
        }
        JsonNode v = model.path("vocab");
        if (!v.isObject()) {
            throw new IOException("tokenizer.json: " + file + ": model.vocab is not an object {token: id}");
        }
        Map<String, Integer> vocab = Vocabulary.tokenIds(v, "tokenizer.json: " + file);
        Map<String, Integer> added = new LinkedHashMap<>();
        Set<String> specials = new HashSet<>();
        addedTokens(root, added, specials, file);
        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        postProcessor(root.path("post_processor"), vocab, before, after, file);
        JsonNode dec = root.path("decoder");
        boolean cleanup = dec.path("cleanup").asBoolean(true);
        String padToken = root.path("padding").path("pad_token").asText(null);
        try {
            return new WordPieceTokenizer(
                    vocab,
                    model.path("unk_token").asText("[UNK]"),
                    model.path("continuing_subword_prefix").asText("##"),
                    model.path("max_input_chars_per_word").asInt(100),
                    norm,
                    before.stream().mapToInt(Integer::intValue).toArray(),
                    after.stream().mapToInt(Integer::intValue).toArray(),
                    added,
                    specials,
                    padToken,
                    cleanup);
        } catch (IllegalArgumentException e) {
            throw new IOException("tokenizer.json: " + file + ": " + e.getMessage(), e);
        }
    }

    /** The ids a post-processor puts around a single sequence. */
    private static void postProcessor(
            JsonNode p, Map<String, Integer> vocab, List<Integer> before, List<Integer> after, Path file)
            throws IOException {
        String type = p.path("type").asText("");
        switch (type) {
            case "" -> {}
            case "ByteLevel" -> {}
            case "BertProcessing", "RobertaProcessing" -> {
                before.add(Vocabulary.id(p.path("cls").get(1), type + "'s cls id", "tokenizer.json: " + file));
                after.add(Vocabulary.id(p.path("sep").get(1), type + "'s sep id", "tokenizer.json: " + file));
            }
            case "TemplateProcessing" -> {
                boolean seenSequence = false;
                for (JsonNode piece : p.path("single")) {
                    if (piece.has("Sequence")) {
                        seenSequence = true;
                    } else if (piece.has("SpecialToken")) {
                        String id = piece.get("SpecialToken").path("id").asText();
                        JsonNode spec = p.path("special_tokens").path(id);
                        List<Integer> target = seenSequence ? after : before;
                        if (spec.has("ids")) {
                            for (JsonNode x : spec.get("ids")) {
                                target.add(Vocabulary.id(
                                        x, "an id of template token '" + id + "'", "tokenizer.json: " + file));
                            }
                        } else if (vocab.containsKey(id)) {
                            target.add(vocab.get(id));
                        } else {
                            throw new IOException(
                                    "tokenizer.json: " + file + ": template token '" + id + "' has no id");
                        }
                    }
                }
            }
            case "Sequence" -> {
                for (JsonNode q : p.path("processors")) {
                    postProcessor(q, vocab, before, after, file);
                }
            }
            default ->
                throw new IOException("tokenizer.json: " + file + ": post-processor '" + type + "' is not supported "
                        + "(supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel)");
        }
    }

    private static void addedTokens(JsonNode root, Map<String, Integer> added, Set<String> specials, Path file)
            throws IOException {
        for (JsonNode a : root.path("added_tokens")) {
            String content = a.path("content").asText();
            added.put(
                    content,
                    Vocabulary.id(a.get("id"), "the id of added token '" + content + "'", "tokenizer.json: " + file));
            if (a.path("special").asBoolean(false)) {
                specials.add(content);
            }
        }
    }
}
