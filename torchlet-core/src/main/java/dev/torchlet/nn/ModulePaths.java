package dev.torchlet.nn;

import java.util.regex.Pattern;

/** Dotted module paths ("layer1.0.conv1") and the globs that select them ("layer1.*"). */
final class ModulePaths {
    private ModulePaths() {}

    /** "a.b" + "c" -> "a.b.c"; "" + "c" -> "c". */
    static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /**
     * A glob over dotted names: {@code *} matches any run of characters (dots included, so
     * "layer1.*" matches "layer1.0.conv1.weight"), {@code ?} one character; everything else literally.
     */
    static Pattern glob(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException("module path pattern must be non-empty, got '" + glob + "'");
        }
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                regex.append(Pattern.quote(literal.toString())).append(c == '*' ? ".*" : ".");
                literal.setLength(0);
            } else {
                literal.append(c);
            }
        }
        return Pattern.compile(regex.append(Pattern.quote(literal.toString())).toString());
    }
}
