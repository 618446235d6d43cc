package dev.torchlet.text;

import dev.torchlet.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Words from a vocabulary: the text is split into runs of letters, runs of digits and single
 * punctuation marks (whitespace separates and is dropped), optionally lower-cased. The special tokens
 * are {@code [PAD]} (id 0) and {@code [UNK]} (id 1), then {@code [BOS]} and {@code [EOS]} (ids 2, 3),
 * which {@link #encode(String)} puts around the text. Unknown words encode to [UNK]. Decoding joins
 * the words with single spaces.
 */
public final class WordTokenizer implements Tokenizer {
    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String BOS = "[BOS]";
    public static final String EOS = "[EOS]";
    public static final List<String> SPECIALS = List.of(PAD, UNK, BOS, EOS);

    private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}\\p{M}]*|\\p{N}+|[^\\s\\p{L}\\p{N}]");

    private final Vocabulary vocab;
    private final boolean lowercase;
    private final int pad;
    private final int unk;
    private final int bos;
    private final int eos;

    public WordTokenizer(Vocabulary vocab, boolean lowercase) {
        for (String s : SPECIALS) {
            if (vocab.id(s) < 0) {
                throw new IllegalArgumentException("WordTokenizer: the vocabulary has no " + s + " token");
            }
        }
        this.vocab = vocab;
        this.lowercase = lowercase;
        this.pad = vocab.id(PAD);
        this.unk = vocab.id(UNK);
        this.bos = vocab.id(BOS);
        this.eos = vocab.id(EOS);
    }

    /** Words of the corpus seen at least minFreq times, most frequent first, at most maxSize ids (0: all). */
    public static WordTokenizer train(Iterable<String> corpus, boolean lowercase, int minFreq, int maxSize) {
        Map<String, Long> counts = new LinkedHashMap<>();
        long words = 0;
        for (String text : corpus) {
            for (String w : split(text, lowercase)) {
                counts.merge(w, 1L, Long::sum);
                words++;
            }
        }
        if (words == 0) {
            throw new IllegalArgumentException("WordTokenizer: the corpus is empty (no words to build a vocabulary)");
        }
        return new WordTokenizer(Vocabulary.build(counts, SPECIALS, minFreq, maxSize), lowercase);
    }

    /** The words of text, as the tokenizer splits them. */
    public static List<String> split(String text, boolean lowercase) {
        String t = lowercase ? text.toLowerCase(Locale.ROOT) : text;
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(t);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Saves the vocabulary and the lower-casing flag (as a special entry of the JSON file). */
    public void save(Path file) throws IOException {
        var root = Vocabulary.json().createObjectNode();
        root.put("type", "word");
        root.put("lowercase", lowercase);
        vocab.specials().forEach(root.putArray("specials")::add);
        vocab.tokens().forEach(root.putArray("tokens")::add);
        AtomicFiles.writeBytes(file, Vocabulary.json().writeValueAsBytes(root));
    }

    public static WordTokenizer load(Path file) throws IOException {
        var root = Vocabulary.readJson(file);
        return new WordTokenizer(Vocabulary.load(file), root.path("lowercase").asBoolean(false));
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        List<String> words = split(text, lowercase);
        int[] ids = new int[words.size()];
        for (int i = 0; i < ids.length; i++) {
            int id = vocab.id(words.get(i));
            ids[i] = id < 0 ? unk : id;
        }
        return addSpecialTokens ? withSpecialTokens(ids) : ids;
    }

    @Override
    public int[] withSpecialTokens(int[] ids) {
        int[] out = new int[ids.length + 2];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        out[out.length - 1] = eos;
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (skipSpecialTokens && vocab.isSpecial(id)) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(vocab.token(id));
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public String idToToken(int id) {
        return vocab.token(id);
    }

    @Override
    public int tokenToId(String token) {
        return vocab.id(token);
    }
}
