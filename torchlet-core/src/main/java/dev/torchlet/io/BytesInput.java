package dev.torchlet.io;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An input stream over a memory segment (a heap array or a memory-mapped file) that knows how
 * many bytes remain, so the pickle reader can reject lengths that point past the end before it
 * allocates anything, and raw storage bytes can be read as windows without copying the file.
 */
final class BytesInput extends InputStream {
    private final MemorySegment data;
    private long position;
    private long mark;

    BytesInput(MemorySegment data) {
        this.data = data;
    }

    static BytesInput of(byte[] bytes) {
        return new BytesInput(MemorySegment.ofArray(bytes));
    }

    long position() {
        return position;
    }

    long remaining() {
        return data.byteSize() - position;
    }

    /** The next {@code len} bytes as a buffer in the given order; the position advances past them. */
    ByteBuffer window(int len, ByteOrder order) {
        if (len > remaining()) {
            throw new IndexOutOfBoundsException("window of " + len + " bytes at " + position + " past the end");
        }
        ByteBuffer b = data.asSlice(position, len).asByteBuffer().order(order);
        position += len;
        return b;
    }

    @Override
    public int read() {
        return position < data.byteSize() ? data.get(ValueLayout.JAVA_BYTE, position++) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        long left = remaining();
        if (left <= 0) {
            return -1;
        }
        int n = (int) Math.min(len, left);
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, remaining());
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public void mark(int readLimit) {
        mark = position;
    }

    @Override
    public void reset() {
        position = mark;
    }
}
