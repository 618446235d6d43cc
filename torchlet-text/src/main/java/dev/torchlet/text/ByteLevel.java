package dev.torchlet.text;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level alphabet: every byte 0..255 maps to one printable character (printable Latin-1
 * bytes to themselves, the others to U+0100 and up: space is 'Ġ', newline 'Ċ'), so BPE works on
 * strings with no unknown symbols. Also GPT-2's pre-tokenization pattern.
 */
final class ByteLevel {
    /**
     * GPT-2's split pattern (OpenAI's encoder.py). {@code \s} is Unicode white space there, hence
     * UNICODE_CHARACTER_CLASS; \p{L} and \p{N} are the Unicode categories either way.
     */
    static final Pattern GPT2_PATTERN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The UTF-8 bytes of s, each as its byte-level character. */
    static String encode(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    static char charOf(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** Appends the bytes of a byte-level token to buf; false if the token has a non byte-level character. */
    static boolean appendBytes(String token, java.io.ByteArrayOutputStream buf) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                return false;
            }
            buf.write(b);
        }
        return true;
    }
}
