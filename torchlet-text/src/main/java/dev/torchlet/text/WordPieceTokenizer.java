package dev.torchlet.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BERT's tokenizer, as Hugging Face's {@code tokenizers} runs it: the BERT normalizer (drop control
 * characters, white space to ' ', spaces around CJK ideographs, accent stripping, lower-casing), the
 * BERT pre-tokenizer (split on white space, punctuation as words of its own), then WordPiece: the
 * longest vocabulary entry from the start of the word, continuations prefixed {@code ##}; a word
 * with no split, or longer than maxInputCharsPerWord characters, is {@code [UNK]}. A single text is
 * wrapped as {@code [CLS] text [SEP]}. Added tokens ({@code [MASK]}, ...) are matched literally in the raw text.
 */
public final class WordPieceTokenizer implements Tokenizer {
    /**
     * The normalizer's switches (Hugging Face's BertNormalizer).
     *
     * @param stripAccents null: strip accents when lower-casing (BERT's default)
     */
    public record Normalization(
            boolean cleanText, boolean handleChineseChars, Boolean stripAccents, boolean lowercase) {
        public static Normalization uncased() {
            return new Normalization(true, true, null, true);
        }

        public static Normalization cased() {
            return new Normalization(true, true, null, false);
        }

        boolean strips() {
            return stripAccents != null ? stripAccents : lowercase;
        }
    }

    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final int unk;
    private final String prefix;
    private final int maxInputCharsPerWord;
    private final Normalization norm;
    private final int[] before; // special ids before a single sequence ([CLS])
    private final int[] after; // and after ([SEP])
    private final Map<String, Integer> added;
    private final Set<Integer> specialIds;
    private final Pattern addedPattern;
    private final int pad;
    private final boolean cleanup;

    /**
     * @param vocab    token -> id, dense ids 0..n-1
     * @param unkToken e.g. "[UNK]", must be in the vocabulary
     * @param before   ids put before a single sequence, e.g. {[CLS]}
     * @param after    ids put after it, e.g. {[SEP]}
     * @param added    added tokens matched literally (content -> id)
     * @param specials the added tokens that are special (dropped by decode(ids, true))
     * @param padToken the padding token, or null (then [PAD] if the vocabulary has it)
     */
    public WordPieceTokenizer(
            Map<String, Integer> vocab,
            String unkToken,
            String prefix,
            int maxInputCharsPerWord,
            Normalization norm,
            int[] before,
            int[] after,
            Map<String, Integer> added,
            Set<String> specials,
            String padToken,
            boolean cleanup) {
        this.vocab = Map.copyOf(vocab);
        this.tokens = new String[vocab.size()];
        vocab.forEach((t, id) -> {
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new IllegalArgumentException("WordPiece: id " + id + " of '" + t
                        + "' is out of range or used twice (expected dense ids 0.." + (tokens.length - 1) + ")");
            }
            tokens[id] = t;
        });
        Integer u = vocab.get(unkToken);
        if (u == null) {
            throw new IllegalArgumentException(
                    "WordPiece: the unknown token '" + unkToken + "' is not in the vocabulary");
        }
        this.unk = u;
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        this.norm = norm;
        this.before = before.clone();
        this.after = after.clone();
        this.added = Map.copyOf(added);
        this.specialIds = new HashSet<>();
        for (String s : specials) {
            Integer id = added.containsKey(s) ? added.get(s) : vocab.get(s);
            if (id != null) {
                specialIds.add(id);
            }
        }
        for (int id : before) {
            specialIds.add(id);
        }
        for (int id : after) {
            specialIds.add(id);
        }
        if (added.isEmpty()) {
            addedPattern = null;
        } else {
            List<String> lits = new ArrayList<>(added.keySet());
            lits.sort((a, b) -> b.length() - a.length());
            StringBuilder sb = new StringBuilder();
            for (String l : lits) {
                sb.append(sb.isEmpty() ? "" : "|").append(Pattern.quote(l));
            }
            addedPattern = Pattern.compile(sb.toString());
        }
        Integer p = padToken != null ? vocab.get(padToken) : vocab.get("[PAD]");
        this.pad = p == null ? -1 : p;
        this.cleanup = cleanup;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        List<Integer> out = new ArrayList<>();
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
        int[] ids = out.stream().mapToInt(Integer::intValue).toArray();
        return addSpecialTokens ? withSpecialTokens(ids) : ids;
    }

    @Override
    public int[] withSpecialTokens(int[] ids) {
        int[] out = new int[before.length + ids.length + after.length];
        System.arraycopy(before, 0, out, 0, before.length);
        System.arraycopy(ids, 0, out, before.length, ids.length);
        System.arraycopy(after, 0, out, before.length + ids.length, after.length);
        return out;
    }

    private void encodeOrdinary(String text, List<Integer> out) {
        for (String word : preTokenize(normalize(text))) {
            wordPiece(word, out);
        }
    }

    /** The BERT normalizer. */
    String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(c -> {
            if (norm.cleanText()) {
                if (c == 0 || c == 0xFFFD || isControl(c)) {
                    return;
                }
                if (isWhitespace(c)) {
                    sb.append(' ');
                    return;
                }
            }
            if (norm.handleChineseChars() && isChinese(c)) {
                sb.append(' ').appendCodePoint(c).append(' ');
            } else {
                sb.appendCodePoint(c);
            }
        });
        String s = sb.toString();
        if (norm.strips()) {
            String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder t = new StringBuilder(nfd.length());
            nfd.codePoints()
                    .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
                    .forEach(t::appendCodePoint);
            s = t.toString();
        }
        if (norm.lowercase()) {
            // per character, as Rust's char::to_lowercase (no final-sigma context rule)
            StringBuilder t = new StringBuilder(s.length());
            s.codePoints().forEach(c -> t.append(Character.toString(c).toLowerCase(Locale.ROOT)));
            s = t.toString();
        }
        return s;
    }

    /** The BERT pre-tokenizer: white space separates, every punctuation character is a word. */
    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (isWhitespace(c)) {
                flush(cur, words);
            } else if (isPunctuation(c)) {
                flush(cur, words);
                words.add(Character.toString(c));
            } else {
                cur.appendCodePoint(c);
            }
        });
        flush(cur, words);
        return words;
    }

    private static void flush(StringBuilder cur, List<String> words) {
        if (!cur.isEmpty()) {
            words.add(cur.toString());
            cur.setLength(0);
        }
    }

    private void wordPiece(String word, List<Integer> out) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > maxInputCharsPerWord) {
            out.add(unk);
            return;
        }
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < cps.length) {
            int end = cps.length;
            Integer found = null;
            while (start < end) {
                String sub = new String(cps, start, end - start);
                if (start > 0) {
                    sub = prefix + sub;
                }
                found = vocab.get(sub);
                if (found != null) {
                    break;
                }
                end--;
            }
            if (found == null) {
                out.add(unk);
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (int id : ids) {
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException(
                        "WordPiece decode: id " + id + " is out of range [0, " + tokens.length + ")");
            }
            if (skipSpecialTokens && specialIds.contains(id)) {
                continue;
            }
            String t = tokens[id];
            if (i > 0) {
                t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
            }
            sb.append(t);
            i++;
        }
        // on the whole text, as transformers' clean_up_tokenization_spaces (the decoder's per-token pass is a subset)
        return cleanup ? cleanup(sb.toString()) : sb.toString();
    }

    /** Hugging Face's clean_up_tokenization. */
    static String cleanup(String s) {
        return s.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" do not", " don't")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public String idToToken(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("WordPiece: id " + id + " is out of range [0, " + tokens.length + ")");
        }
        return tokens[id];
    }

    @Override
    public int tokenToId(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || isUnicodeWhiteSpace(c);
    }

    /** Unicode's White_Space property (Rust's char::is_whitespace). */
    private static boolean isUnicodeWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D)
                || c == 0x20
                || c == 0x85
                || c == 0xA0
                || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028
                || c == 0x2029
                || c == 0x202F
                || c == 0x205F
                || c == 0x3000;
    }

    /** Rust tokenizers' is_control: the "Other" categories (Cc, Cf, Cn, Co, Cs) except \t \n \r. */
    static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int t = Character.getType(c);
        return t == Character.CONTROL
                || t == Character.FORMAT
                || t == Character.UNASSIGNED
                || t == Character.PRIVATE_USE
                || t == Character.SURROGATE;
    }

    /** ASCII punctuation (includes $ + < = > ^ ` | ~) or a Unicode P* category. */
    static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION
                || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    /** The CJK Unified Ideographs blocks BERT puts spaces around. */
    static boolean isChinese(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F)
                || (c >= 0x2B740 && c <= 0x2B81F)
                || (c >= 0x2B820 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
