package dev.torchlet.data.transforms;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An ImageIO input over encoded bytes in memory that ends a decode which keeps reading past the end
 * of the data. Some decoders treat the end of a truncated file as an endless run of zero bits (the
 * WebP lossless decoder swallows each EOFException and decodes on): 513 bytes announcing 43024 x 16
 * pixels kept one busy for 4 seconds. After {@link #MAX_READS_PAST_END} reads at the end, the next one
 * throws an {@link UncheckedIOException} (the decoders catch only checked EOFExceptions), which
 * {@link Image} reports as a truncated image.
 */
final class EndBoundedImageInput extends ImageInputStreamImpl {
    /** Reads at the end a well-formed file may cause (readers probe for trailing chunks); far more than any does. */
    static final int MAX_READS_PAST_END = 1024;

    private final byte[] data;
    private int readsPastEnd;

    EndBoundedImageInput(byte[] data) {
        this.data = data;
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        if (streamPos >= data.length) {
            return pastEnd();
        }
        return data[(int) streamPos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        Objects.checkFromIndexSize(off, len, b.length);
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        if (streamPos >= data.length) {
            return pastEnd();
        }
        int n = (int) Math.min(len, data.length - streamPos);
        System.arraycopy(data, (int) streamPos, b, off, n);
        streamPos += n;
        return n;
    }

    @Override
    public long length() {
        return data.length;
    }

    private int pastEnd() {
        if (++readsPastEnd > MAX_READS_PAST_END) {
            throw new UncheckedIOException(new EOFException("the decoder read past the end of the " + data.length
                    + " bytes more than " + MAX_READS_PAST_END + " times: the image is truncated or corrupt"));
        }
        return -1;
    }
}
