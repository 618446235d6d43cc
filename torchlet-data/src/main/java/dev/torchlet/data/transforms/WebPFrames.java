package dev.torchlet.data.transforms;

import java.io.IOException;

/**
 * Checks the frames inside an extended WebP file against its canvas before it is decoded. ImageIO
 * reports the canvas size (chunk VP8X), which {@link Image} checks against the pixel limit; but the
 * TwelveMonkeys decoder sizes its buffers from the VP8 or VP8L frame header inside, so a 16x16 canvas
 * holding a frame header of 16383x16383 pixels allocated a gigabyte of macroblocks (a fuzzer finding).
 * A still image's frame is exactly its canvas; here a frame may not be larger.
 *
 * <p>Layout: "RIFF", size, "WEBP", then chunks of a fourcc, a little-endian 32-bit size and the payload
 * (padded to even length). "VP8 " payload: 3-byte frame tag, start code 9d 01 2a, then 14-bit width and
 * height (16 bits each, 2 scale bits). "VP8L" payload: signature 0x2f, then 14 bits width - 1 and 14
 * bits height - 1.
 */
final class WebPFrames {
    private WebPFrames() {}

    static boolean isWebP(byte[] b) {
        return b.length >= 12
                && b[0] == 'R'
                && b[1] == 'I'
                && b[2] == 'F'
                && b[3] == 'F'
                && b[8] == 'W'
                && b[9] == 'E'
                && b[10] == 'B'
                && b[11] == 'P';
    }

    /** Throws when a VP8 or VP8L frame header announces more than canvasWidth x canvasHeight. */
    static void check(byte[] b, int canvasWidth, int canvasHeight, String what) throws IOException {
        long at = 12;
        while (at + 8 <= b.length) {
            int p = (int) at;
            String fourcc = new String(b, p, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            long size = le32(b, p + 4) & 0xffffffffL;
            int payload = p + 8;
            long available = b.length - (long) payload;
            int w = -1;
            int h = -1;
            if (fourcc.equals("VP8 ") && Math.min(size, available) >= 10) {
                w = le16(b, payload + 6) & 0x3fff;
                h = le16(b, payload + 8) & 0x3fff;
            } else if (fourcc.equals("VP8L") && Math.min(size, available) >= 5 && b[payload] == 0x2f) {
                int bits = le32(b, payload + 1);
                w = (bits & 0x3fff) + 1;
                h = ((bits >>> 14) & 0x3fff) + 1;
            }
            if (w > canvasWidth || h > canvasHeight) {
                throw new IOException("Image: " + what + ": WebP " + fourcc.strip() + " frame of " + w + "x" + h
                        + " pixels is larger than its " + canvasWidth + "x" + canvasHeight + " canvas");
            }
            at = payload + size + (size & 1);
        }
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static int le32(byte[] b, int i) {
        return le16(b, i) | le16(b, i + 2) << 16;
    }
}
