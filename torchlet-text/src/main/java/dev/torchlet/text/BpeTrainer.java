package dev.torchlet.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/** Byte-level BPE training (see {@link BpeTokenizer#train}); pair counts are updated incrementally. */
final class BpeTrainer {
    private BpeTrainer() {}

    static BpeTokenizer train(Iterable<String> corpus, int vocabSize, int minFrequency, List<String> specials) {
        // 1. word counts of the GPT-2-split, byte-level pieces
        Map<String, Integer> wordCounts = new LinkedHashMap<>();
        for (String text : corpus) {
            Matcher m = ByteLevel.GPT2_PATTERN.matcher(text);
            while (m.find()) {
                wordCounts.merge(ByteLevel.encode(m.group()), 1, Integer::sum);
            }
        }
        if (wordCounts.isEmpty()) {
            throw new IllegalArgumentException("BPE train: the corpus is empty (no text to learn merges from)");
        }
        // 2. symbols: specials, then the 256 bytes in byte order
        List<String> symbols = new ArrayList<>(specials);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        Map<String, Integer> added = new LinkedHashMap<>();
        for (int i = 0; i < specials.size(); i++) {
            if (added.put(specials.get(i), i) != null) {
                throw new IllegalArgumentException("BPE train: special token '" + specials.get(i) + "' given twice");
            }
        }
        Map<String, Integer> symbolId = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevel.charOf(b));
            symbolId.put(s, symbols.size());
            vocab.put(s, symbols.size());
            symbols.add(s);
        }
        int n = wordCounts.size();
        int[][] words = new int[n][];
        int[] counts = new int[n];
        int w = 0;
        for (var e : wordCounts.entrySet()) {
            String s = e.getKey();
            words[w] = new int[s.length()];
            for (int i = 0; i < s.length(); i++) {
                words[w][i] = symbolId.get(String.valueOf(s.charAt(i)));
            }
            counts[w++] = e.getValue();
        }
        // 3. pair counts and where each pair occurs
        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> where = new HashMap<>();
        for (int i = 0; i < n; i++) {
            addPairs(words[i], counts[i], i, pairCounts, where, +1);
        }
        List<String[]> merges = new ArrayList<>();
        while (symbols.size() < vocabSize && !pairCounts.isEmpty()) {
            long best = 0;
            long bestCount = -1;
            for (var e : pairCounts.entrySet()) {
                long c = e.getValue();
                long k = e.getKey();
                if (c > bestCount || (c == bestCount && k < best)) {
                    best = k;
                    bestCount = c;
                }
            }
            if (bestCount < minFrequency) {
                break;
            }
            int a = (int) (best >>> 32);
            int b = (int) best;
            int merged = symbols.size();
            String sa = symbols.get(a);
            String sb = symbols.get(b);
            symbols.add(sa + sb);
            vocab.put(sa + sb, merged);
            merges.add(new String[] {sa, sb});
            for (int i : new ArrayList<>(where.getOrDefault(best, Set.of()))) {
                int[] old = words[i];
                addPairs(old, counts[i], i, pairCounts, where, -1);
                int[] out = new int[old.length];
                int len = 0;
                for (int j = 0; j < old.length; ) {
                    if (j + 1 < old.length && old[j] == a && old[j + 1] == b) {
                        out[len++] = merged;
                        j += 2;
                    } else {
                        out[len++] = old[j++];
                    }
                }
                words[i] = java.util.Arrays.copyOf(out, len);
                addPairs(words[i], counts[i], i, pairCounts, where, +1);
            }
        }
        return new BpeTokenizer(vocab, merges, added, new HashSet<>(specials), ByteLevel.GPT2_PATTERN, false, false);
    }

    private static void addPairs(
            int[] word, int count, int index, Map<Long, Long> pairCounts, Map<Long, Set<Integer>> where, int sign) {
        for (int j = 0; j + 1 < word.length; j++) {
            long key = ((long) word[j] << 32) | (word[j + 1] & 0xFFFFFFFFL);
            long c = pairCounts.getOrDefault(key, 0L) + (long) sign * count;
            if (c <= 0) {
                pairCounts.remove(key);
                where.remove(key);
            } else {
                pairCounts.put(key, c);
                if (sign > 0) {
                    where.computeIfAbsent(key, k -> new HashSet<>()).add(index);
                }
            }
        }
    }
}
