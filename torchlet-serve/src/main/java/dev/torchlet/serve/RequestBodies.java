package dev.torchlet.serve;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reading request bodies under the size limit, and the file part of a multipart/form-data upload. */
final class RequestBodies {
    private RequestBodies() {}

    /** The whole body; 413 when it is (or announces itself) larger than maxBytes. */
    static byte[] read(ServerRequest req, long maxBytes) {
        long declared = req.headers().contentLength().orElse(-1L);
        if (declared > maxBytes) {
            throw new HttpError(
                    413, "request body of " + declared + " bytes exceeds the limit of " + maxBytes + " bytes");
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new HttpError(413, "request body exceeds the limit of " + maxBytes + " bytes");
                }
                out.write(buf, 0, n);
            }
            if (declared >= 0 && total != declared) {
                throw HttpError.badRequest("truncated body: Content-Length " + declared + ", got " + total + " bytes");
            }
            return out.toByteArray();
        } catch (IOException | UncheckedIOException e) {
            throw HttpError.badRequest("truncated or unreadable body: " + e.getMessage());
        }
    }

    /**
     * The uploaded image: the body itself, or for multipart/form-data the part named "file" (else the first
     * part with a filename, else the first part).
     */
    static byte[] image(ServerRequest req, byte[] body) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        if (!type.toLowerCase().startsWith("multipart/form-data")) {
            return body;
        }
        int b = type.indexOf("boundary=");
        if (b < 0) {
            throw HttpError.badRequest("multipart/form-data without a boundary parameter");
        }
        String boundary = type.substring(b + 9).split(";")[0].trim().replace("\"", "");
        return Multipart.filePart(body, boundary);
    }

    /** Multipart parsing (RFC 7578), enough for browser and curl uploads. */
    static final class Multipart {
        private Multipart() {}

        static byte[] filePart(byte[] body, String boundary) {
            byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
            int pos = indexOf(body, delimiter, 0);
            byte[] fallback = null;
            byte[] firstWithFilename = null;
            while (pos >= 0) {
                int headersStart = pos + delimiter.length;
                if (headersStart + 1 < body.length && body[headersStart] == '-' && body[headersStart + 1] == '-') {
                    break; // closing delimiter
                }
                int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
                if (headersEnd < 0) {
                    throw HttpError.badRequest("truncated multipart body: a part has no end of headers");
                }
                // the part's content starts after the blank line; its closing delimiter cannot overlap the blank line
                int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), headersEnd + 4);
                if (next < 0) {
                    throw HttpError.badRequest("truncated multipart body: no closing boundary after a part");
                }
                String headers =
                        new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8).toLowerCase();
                byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, next);
                if (headers.contains("name=\"file\"")) {
                    return content;
                }
                if (firstWithFilename == null && headers.contains("filename=")) {
                    firstWithFilename = content;
                }
                if (fallback == null) {
                    fallback = content;
                }
                pos = next + 2;
            }
            if (firstWithFilename != null) {
                return firstWithFilename;
            }
            if (fallback != null) {
                return fallback;
            }
            throw HttpError.badRequest("multipart body has no part (boundary '" + boundary + "')");
        }

        private static int indexOf(byte[] a, byte[] pattern, int from) {
            outer:
            for (int i = from; i <= a.length - pattern.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (a[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
