package dev.torchlet.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * One token per Unicode code point (an emoji is one token, not two UTF-16 chars). The vocabulary is
 * the sorted set of characters of a corpus, after an optional unknown token {@code <unk>} (id 0):
 * with it, characters not in the corpus encode to it; without it, they are an error.
 */
public final class CharTokenizer implements Tokenizer {
    public static final String UNK = "<unk>";

    private final Vocabulary vocab;
    private final int unk;

    public CharTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.unk = vocab.id(UNK);
        for (String t : vocab.tokens()) {
            if (!vocab.specials().contains(t) && t.codePointCount(0, t.length()) != 1) {
                throw new IllegalArgumentException("CharTokenizer: token '" + t + "' is not a single character");
            }
        }
    }

    /** The characters of corpus, sorted by code point; withUnknown adds {@code <unk>} as id 0. */
    public static CharTokenizer fromText(String corpus, boolean withUnknown) {
        if (corpus == null || corpus.isEmpty()) {
            throw new IllegalArgumentException("CharTokenizer: the corpus is empty");
        }
        TreeSet<Integer> cps = new TreeSet<>();
        corpus.codePoints().forEach(cps::add);
        List<String> tokens = new ArrayList<>();
        List<String> specials = withUnknown ? List.of(UNK) : List.of();
        tokens.addAll(specials);
        for (int cp : cps) {
            tokens.add(Character.toString(cp));
        }
        return new CharTokenizer(new Vocabulary(tokens, specials));
    }

    public static CharTokenizer load(Path file) throws IOException {
        return new CharTokenizer(Vocabulary.load(file));
    }

    public void save(Path file) throws IOException {
        vocab.save(file);
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        int[] cps = text.codePoints().toArray();
        int[] ids = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            int id = vocab.id(Character.toString(cps[i]));
            if (id < 0 || vocab.isSpecial(id)) {
                if (unk < 0) {
                    throw new IllegalArgumentException(String.format(
                            "CharTokenizer: character '%s' (U+%04X) at position %d is not in the vocabulary of %d "
                                    + "characters (build it with withUnknown=true to map unknown characters to %s)",
                            Character.toString(cps[i]), cps[i], i, vocab.size(), UNK));
                }
                id = unk;
            }
            ids[i] = id;
        }
        return ids;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (skipSpecialTokens && vocab.isSpecial(id)) {
                continue;
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
    public String idToToken(int id) {
        return vocab.token(id);
    }

    @Override
    public int tokenToId(String token) {
        return vocab.id(token);
    }
}
