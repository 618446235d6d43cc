package dev.torchlet.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torchlet.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE, GPT-2's tokenizer: text is split by a pattern ({@link ByteLevel#GPT2_PATTERN}),
 * each piece becomes its UTF-8 bytes as byte-level characters, and pairs of symbols are merged in
 * the order of the merge list (lowest rank first) until no listed pair is left. Every text encodes
 * (there is no unknown token) and decoding gives the text back.
 *
 * <p>Sources: GPT-2's {@code vocab.json}/{@code encoder.json} + {@code merges.txt}/{@code vocab.bpe}
 * ({@link #fromGpt2Files}), a Hugging Face {@code tokenizer.json} ({@link Tokenizers#fromHuggingFace}),
 * or {@link #train} on a corpus. {@link #save} writes a Hugging Face {@code tokenizer.json}.
 *
 * <p>Added tokens (e.g. {@code <|endoftext|>} in a Hugging Face file) are matched literally before
 * the split and never merged with their neighbours; GPT-2's own files have none, as in OpenAI's encoder.
 */
public final class BpeTokenizer implements Tokenizer {
    private static final int CACHE_LIMIT = 100_000;

    private final Map<String, Integer> vocab;
    private final Map<Integer, String> tokens; // id -> token
    private final int size; // largest id + 1
    private final Map<String, Integer> ranks; // "a b" -> merge rank
    private final List<String[]> merges;
    private final Map<String, Integer> added; // literal added tokens -> id
    private final Set<Integer> specialIds;
    private final Pattern addedPattern; // null when there are no added tokens
    private final Pattern split;
    private final boolean addPrefixSpace;
    private final boolean ignoreMerges;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab          token -> id (ids need not be dense, but must be unique and &gt;= 0)
     * @param merges         merge pairs, highest priority first
     * @param added          added tokens matched literally (each must have an id; may repeat vocab entries)
     * @param specials       the added tokens that are special (skipped by decode(ids, true))
     * @param split          the pre-tokenization pattern, usually {@link ByteLevel#GPT2_PATTERN}
     * @param addPrefixSpace put a space before a text that does not start with white space
     * @param ignoreMerges   a piece that is itself in the vocabulary is one token (Llama 3 style)
     */
    BpeTokenizer(
            Map<String, Integer> vocab,
            List<String[]> merges,
            Map<String, Integer> added,
            Set<String> specials,
            Pattern split,
            boolean addPrefixSpace,
            boolean ignoreMerges) {
        this.vocab = Map.copyOf(vocab);
        int max = -1;
        for (int id : vocab.values()) {
            if (id < 0) {
                throw new IllegalArgumentException("BPE: negative id " + id + " in the vocabulary");
            }
            max = Math.max(max, id);
        }
        for (int id : added.values()) {
            if (id < 0) {
                throw new IllegalArgumentException("BPE: negative id " + id + " among the added tokens");
            }
            max = Math.max(max, id);
        }
        // a map, not an array sized by the largest id: ids may have gaps (a cut-down vocabulary keeps its ids),
        // and a file's largest id alone must not size an allocation (2^31 - 1 would take 8 GB)
        this.tokens = new HashMap<>(vocab.size() + added.size());
        vocab.forEach((t, id) -> {
            String before = tokens.put(id, t);
            if (before != null) {
                throw new IllegalArgumentException(
                        "BPE: id " + id + " is used by both '" + before + "' and '" + t + "'");
            }
        });
        added.forEach((t, id) -> tokens.put(id, t));
        this.size = max + 1;
        this.merges = List.copyOf(merges);
        this.ranks = new HashMap<>(merges.size() * 2);
        for (int r = 0; r < merges.size(); r++) {
            String[] m = merges.get(r);
            if (m.length != 2) {
                throw new IllegalArgumentException("BPE: merge " + r + " has " + m.length + " parts, expected 2");
            }
            // as Hugging Face's BPE builder: both parts and their merge must be tokens
            for (String symbol : new String[] {m[0], m[1], m[0] + m[1]}) {
                if (!vocab.containsKey(symbol)) {
                    throw new IllegalArgumentException("BPE: merge " + r + " '" + m[0] + " " + m[1] + "': '" + symbol
                            + "' is not in the vocabulary");
                }
            }
            ranks.putIfAbsent(m[0] + " " + m[1], r);
        }
        this.added = Map.copyOf(added);
        this.specialIds = new HashSet<>();
        for (String s : specials) {
            specialIds.add(added.get(s));
        }
        if (added.isEmpty()) {
            this.addedPattern = null;
        } else {
            List<String> lits = new ArrayList<>(added.keySet());
            lits.sort((a, b) -> b.length() - a.length()); // longest first
            StringBuilder sb = new StringBuilder();
            for (String l : lits) {
                sb.append(sb.isEmpty() ? "" : "|").append(Pattern.quote(l));
            }
            this.addedPattern = Pattern.compile(sb.toString());
        }
        this.split = split;
        this.addPrefixSpace = addPrefixSpace;
        this.ignoreMerges = ignoreMerges;
    }

    /** GPT-2's files: {@code vocab.json} (or {@code encoder.json}) and {@code merges.txt} (or {@code vocab.bpe}). */
    public static BpeTokenizer fromGpt2Files(Path vocabJson, Path merges) throws IOException {
        JsonNode v = Vocabulary.readJson(vocabJson);
        if (!v.isObject()) {
            throw new IOException(
                    "BPE: " + vocabJson + " should be a JSON object {token: id}, found " + v.getNodeType());
        }
        Map<String, Integer> vocab = Vocabulary.tokenIds(v, "BPE: " + vocabJson);
        if (!Files.isRegularFile(merges)) {
            throw new IOException("BPE: no such file " + merges);
        }
        List<String[]> pairs = new ArrayList<>();
        List<String> lines = Files.readAllLines(merges, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if ((i == 0 && line.startsWith("#version")) || line.isBlank()) {
                continue;
            }
            String[] p = line.trim().split(" +");
            if (p.length != 2) {
                throw new IOException(
                        "BPE: " + merges + " line " + (i + 1) + " is '" + line + "', expected two symbols");
            }
            pairs.add(p);
        }
        try {
            return new BpeTokenizer(vocab, pairs, Map.of(), Set.of(), ByteLevel.GPT2_PATTERN, false, false);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage() + " (" + vocabJson + ", " + merges + ")", e);
        }
    }

    /**
     * Learns a byte-level BPE from a corpus: the 256 byte symbols (after the special tokens, which
     * get ids 0, 1, ...), then the most frequent adjacent pair of the GPT-2-split words is merged,
     * again and again, until the vocabulary has vocabSize entries or no pair occurs minFrequency times.
     * Ties go to the pair of smaller ids (deterministic).
     */
    public static BpeTokenizer train(Iterable<String> corpus, int vocabSize, int minFrequency, List<String> specials) {
        if (vocabSize < 256 + specials.size()) {
            throw new IllegalArgumentException("BPE train: vocabSize " + vocabSize + " is smaller than the 256 bytes"
                    + " + " + specials.size() + " special tokens");
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("BPE train: minFrequency must be >= 1, got " + minFrequency);
        }
        return BpeTrainer.train(corpus, vocabSize, minFrequency, specials);
    }

    public List<String[]> merges() {
        return merges;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        List<Integer> out = new ArrayList<>();
        if (addPrefixSpace && !text.isEmpty() && !Character.isWhitespace(text.codePointAt(0))) {
            text = " " + text;
        }
        if (addedPattern == null) {
            encodeOrdinary(text, out);
        } else {
            Matcher m = addedPattern.matcher(text);
            int from = 0;
            while (m.find()) {
                encodeOrdinary(text.substring(from, m.start()), out);
                out.add(added.get(m.group()));
                from = m.end();
            }
            encodeOrdinary(text.substring(from), out);
        }
        int[] ids = new int[out.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = out.get(i);
        }
        return ids;
    }

    private void encodeOrdinary(String text, List<Integer> out) {
        if (text.isEmpty()) {
            return;
        }
        Matcher m = split.matcher(text);
        while (m.find()) {
            String piece = ByteLevel.encode(m.group());
            int[] ids = cache.get(piece);
            if (ids == null) {
                ids = bpe(piece);
                if (cache.size() > CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(piece, ids);
            }
            for (int id : ids) {
                out.add(id);
            }
        }
    }

    /** The BPE merges of one byte-level piece, as ids. */
    private int[] bpe(String piece) {
        if (ignoreMerges && vocab.containsKey(piece)) {
            return new int[] {vocab.get(piece)};
        }
        List<String> word = new ArrayList<>(piece.length());
        for (int i = 0; i < piece.length(); i++) {
            word.add(String.valueOf(piece.charAt(i)));
        }
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < best) {
                    best = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size()
                        && word.get(i).equals(first)
                        && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        // every merge is a token (checked on construction); a byte symbol the vocabulary lacks is dropped, as
        // Hugging Face's BPE without an unknown token drops it
        return word.stream()
                .map(vocab::get)
                .filter(Objects::nonNull)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            String t = token(id);
            if (added.containsKey(t) && added.get(t) == id) {
                if (skipSpecialTokens && specialIds.contains(id)) {
                    continue;
                }
                flush(bytes, sb);
                sb.append(t);
            } else if (!ByteLevel.appendBytes(t, bytes)) {
                flush(bytes, sb);
                sb.append(t);
            }
        }
        flush(bytes, sb);
        return sb.toString();
    }

    private static void flush(ByteArrayOutputStream bytes, StringBuilder sb) {
        if (bytes.size() > 0) {
            sb.append(bytes.toString(StandardCharsets.UTF_8)); // malformed UTF-8 becomes U+FFFD
            bytes.reset();
        }
    }

    private String token(int id) {
        String token = tokens.get(id);
        if (token == null) {
            throw new IllegalArgumentException(
                    "BPE decode: id " + id + " is not in the vocabulary (ids are in [0, " + size + "))");
        }
        return token;
    }

    @Override
    public int vocabSize() {
        return size;
    }

    @Override
    public int padId() {
        return -1;
    }

    @Override
    public String idToToken(int id) {
        return token(id);
    }

    @Override
    public int tokenToId(String token) {
        Integer id = added.get(token);
        if (id == null) {
            id = vocab.get(token);
        }
        return id == null ? -1 : id;
    }

    /** Writes a Hugging Face {@code tokenizer.json} (byte-level BPE) that {@link Tokenizers#fromHuggingFace} reads. */
    public void save(Path tokenizerJson) throws IOException {
        var json = Vocabulary.json();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedTokens = root.putArray("added_tokens");
        added.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> {
            ObjectNode a = addedTokens.addObject();
            a.put("id", e.getValue());
            a.put("content", e.getKey());
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", specialIds.contains(e.getValue()));
        });
        root.putNull("normalizer");
        if (split.pattern().equals(ByteLevel.GPT2_PATTERN.pattern())) {
            root.set("pre_tokenizer", byteLevel(addPrefixSpace, true));
        } else {
            ObjectNode seq = json.createObjectNode();
            seq.put("type", "Sequence");
            ObjectNode s = seq.putArray("pretokenizers").addObject();
            s.put("type", "Split");
            s.putObject("pattern").put("Regex", split.pattern());
            s.put("behavior", "Isolated");
            s.put("invert", false);
            ((ArrayNode) seq.get("pretokenizers")).add(byteLevel(addPrefixSpace, false));
            root.set("pre_tokenizer", seq);
        }
        root.set("post_processor", byteLevel(true, true));
        root.set("decoder", byteLevel(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", ignoreMerges);
        ObjectNode v = model.putObject("vocab");
        vocab.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> v.put(e.getKey(), e.getValue()));
        ArrayNode m = model.putArray("merges");
        for (String[] p : merges) {
            m.addArray().add(p[0]).add(p[1]);
        }
        AtomicFiles.writeBytes(
                tokenizerJson, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean useRegex) {
        ObjectNode n = Vocabulary.json().createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", true);
        n.put("use_regex", useRegex);
        return n;
    }

    /** For tests: the sorted ids of the special tokens. */
    int[] specialIds() {
        return specialIds.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    static String[] pair(String a, String b) {
        return new String[] {a, b};
    }

    @Override
    public String toString() {
        return "BpeTokenizer(vocab " + size + ", merges " + merges.size() + ", added "
                + Arrays.toString(added.keySet().toArray()) + ")";
    }
}
