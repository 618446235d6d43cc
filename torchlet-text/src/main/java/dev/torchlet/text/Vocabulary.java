package dev.torchlet.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torchlet.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tokens and their ids: the special tokens first (ids 0, 1, ...), then the others. Built from token
 * counts ({@link #build}), most frequent first (ties in first-seen order), or read from a JSON file
 * ({@code {"specials": [...], "tokens": [...]}}) written by {@link #save}.
 */
public final class Vocabulary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final Set<String> specials;

    /** tokens in id order; specials must be among them. */
    public Vocabulary(List<String> tokens, List<String> specials) {
        this.tokens = List.copyOf(tokens);
        this.ids = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < this.tokens.size(); i++) {
            if (ids.putIfAbsent(this.tokens.get(i), i) != null) {
                throw new IllegalArgumentException("Vocabulary: token '" + this.tokens.get(i) + "' appears twice (ids "
                        + ids.get(tokens.get(i)) + " and " + i + ")");
            }
        }
        this.specials = Collections.unmodifiableSet(new LinkedHashSet<>(specials));
        for (String s : specials) {
            if (!ids.containsKey(s)) {
                throw new IllegalArgumentException("Vocabulary: special token '" + s + "' is not in the vocabulary");
            }
        }
    }

    /**
     * specials (ids 0..k-1), then every token counted at least minFreq times, most frequent first,
     * at most maxSize tokens in all (0: no limit).
     */
    public static Vocabulary build(Map<String, Long> counts, List<String> specials, int minFreq, int maxSize) {
        if (minFreq < 1) {
            throw new IllegalArgumentException("Vocabulary: minFreq must be >= 1, got " + minFreq);
        }
        if (maxSize < 0 || (maxSize > 0 && maxSize < specials.size())) {
            throw new IllegalArgumentException(
                    "Vocabulary: maxSize " + maxSize + " is smaller than the " + specials.size() + " special tokens");
        }
        List<String> out = new ArrayList<>(specials);
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> Long.compare(b.getValue(), a.getValue())); // stable: ties keep map order
        Set<String> seen = new LinkedHashSet<>(specials);
        for (var e : entries) {
            if (maxSize > 0 && out.size() >= maxSize) {
                break;
            }
            if (e.getValue() >= minFreq && seen.add(e.getKey())) {
                out.add(e.getKey());
            }
        }
        return new Vocabulary(out, specials);
    }

    public int size() {
        return tokens.size();
    }

    /** The id of token, or -1. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("Vocabulary: id " + id + " is out of range [0, " + tokens.size() + ")");
        }
        return tokens.get(id);
    }

    public boolean isSpecial(int id) {
        return specials.contains(token(id));
    }

    public List<String> tokens() {
        return tokens;
    }

    public Set<String> specials() {
        return specials;
    }

    /** Writes {"specials": [...], "tokens": [...]} (atomically: temp file, then rename). */
    public void save(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        specials.forEach(root.putArray("specials")::add);
        tokens.forEach(root.putArray("tokens")::add);
        AtomicFiles.writeBytes(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    public static Vocabulary load(Path file) throws IOException {
        JsonNode root = readJson(file);
        JsonNode toks = root.get("tokens");
        if (toks == null || !toks.isArray()) {
            throw new IOException("Vocabulary: " + file + " has no \"tokens\" array");
        }
        List<String> tokens = new ArrayList<>();
        toks.forEach(t -> tokens.add(t.asText()));
        List<String> specials = new ArrayList<>();
        if (root.has("specials")) {
            root.get("specials").forEach(t -> specials.add(t.asText()));
        }
        return new Vocabulary(tokens, specials);
    }

    static JsonNode readJson(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no such file " + file);
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A JSON object {token: id} as a map; every id must be a non-negative int (a larger number is not read as its
     * low 32 bits, a string is not read as 0).
     */
    static Map<String, Integer> tokenIds(JsonNode object, String where) throws IOException {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (var e : object.properties()) {
            ids.put(e.getKey(), id(e.getValue(), "the id of token '" + e.getKey() + "'", where));
        }
        return ids;
    }

    /** A token id read from a file: a non-negative int, else an IOException naming it and where it is. */
    static int id(JsonNode node, String what, String where) throws IOException {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
            String shown = node == null || node.isMissingNode() ? "missing" : abbreviate(node.toString());
            throw new IOException(where + ": " + what + " is " + shown + ", expected an int id >= 0");
        }
        return node.asInt();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    static ObjectMapper json() {
        return JSON;
    }
}
