package dev.torchlet.io;

import dev.torchlet.DType;
import dev.torchlet.Storage;
import java.nio.ByteBuffer;

/**
 * The on-disk element types of safetensors files and PyTorch storages, and how each one decodes
 * into (and encodes from) a Torchlet {@link Storage}: F16/BF16/F32 load as float32, F64 as
 * float64, the integer types as int64 and BOOL as bool.
 *
 * <p>Decoding and encoding work on a {@link ByteBuffer} window (already in the file's byte order),
 * a chunk at a time, so files larger than one buffer stream through without a whole-file copy.
 */
enum ElementType {
    F64(8, "DoubleStorage", DType.FLOAT64),
    F32(4, "FloatStorage", DType.FLOAT32),
    F16(2, "HalfStorage", DType.FLOAT32),
    BF16(2, "BFloat16Storage", DType.FLOAT32),
    I64(8, "LongStorage", DType.INT64),
    I32(4, "IntStorage", DType.INT64),
    I16(2, "ShortStorage", DType.INT64),
    I8(1, "CharStorage", DType.INT64),
    U8(1, "ByteStorage", DType.INT64),
    BOOL(1, "BoolStorage", DType.BOOL);

    /** Bytes per element. */
    final int width;
    /** The storage class PyTorch pickles, e.g. {@code torch.FloatStorage}. */
    final String torchStorage;
    /** The Torchlet dtype elements load as. */
    final DType loadsAs;

    ElementType(int width, String torchStorage, DType loadsAs) {
        this.width = width;
        this.torchStorage = torchStorage;
        this.loadsAs = loadsAs;
    }

    /** The safetensors dtype string ("F32", ...), or null when unknown or unsupported. */
    static ElementType ofSafetensors(String name) {
        for (ElementType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The element type of a PyTorch storage class name ("FloatStorage", ...), or null. */
    static ElementType ofTorchStorage(String name) {
        for (ElementType t : values()) {
            if (t.torchStorage.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The type a Torchlet tensor of this dtype is written as by default. */
    static ElementType defaultFor(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> F32;
            case FLOAT64 -> F64;
            case INT64 -> I64;
            case BOOL -> BOOL;
        };
    }

    /**
     * Decodes {@code count} elements from {@code src} (starting at its position, which advances)
     * into {@code dst[at .. at + count)}; dst must be a storage of {@link #loadsAs}.
     */
    void decode(ByteBuffer src, Storage dst, int at, int count) {
        int p = src.position();
        switch (this) {
            case F64 -> src.asDoubleBuffer().get(dst.doubles(), at, count);
            case F32 -> src.asFloatBuffer().get(dst.floats(), at, count);
            case F16 -> {
                float[] d = dst.floats();
                for (int i = 0; i < count; i++) {
                    d[at + i] = Float.float16ToFloat(src.getShort(p + 2 * i));
                }
            }
            case BF16 -> {
                float[] d = dst.floats();
                for (int i = 0; i < count; i++) {
                    // bfloat16 is the high half of a float32
                    d[at + i] = Float.intBitsToFloat((src.getShort(p + 2 * i) & 0xffff) << 16);
                }
            }
            case I64 -> src.asLongBuffer().get(dst.longs(), at, count);
            case I32 -> {
                long[] d = dst.longs();
                for (int i = 0; i < count; i++) {
                    d[at + i] = src.getInt(p + 4 * i);
                }
            }
            case I16 -> {
                long[] d = dst.longs();
                for (int i = 0; i < count; i++) {
                    d[at + i] = src.getShort(p + 2 * i);
                }
            }
            case I8 -> {
                long[] d = dst.longs();
                for (int i = 0; i < count; i++) {
                    d[at + i] = src.get(p + i);
                }
            }
            case U8 -> {
                long[] d = dst.longs();
                for (int i = 0; i < count; i++) {
                    d[at + i] = src.get(p + i) & 0xff;
                }
            }
            case BOOL -> {
                boolean[] d = dst.bools();
                for (int i = 0; i < count; i++) {
                    d[at + i] = src.get(p + i) != 0;
                }
            }
        }
        src.position(p + count * width);
    }

    /**
     * Encodes {@code src[at .. at + count)} (any dtype; element {@code at} is the tensor's flat
     * element {@code flatStart}, for messages) into {@code dst} at its position, which advances.
     * Conversions that would change a value are refused: a non-integral or out-of-range value for
     * an integer type, anything but 0/1 for BOOL. Float types round to nearest even (float64 to
     * F16/BF16 goes through float32).
     *
     * @throws IllegalArgumentException naming {@code what} and the offending value
     */
    void encode(Storage src, int at, int count, long flatStart, ByteBuffer dst, String what) {
        int p = dst.position();
        DType from = src.dtype();
        if (from == loadsAs && (this == F64 || this == F32 || this == I64)) {
            switch (this) {
                case F64 -> dst.asDoubleBuffer().put(src.doubles(), at, count);
                case F32 -> dst.asFloatBuffer().put(src.floats(), at, count);
                default -> dst.asLongBuffer().put(src.longs(), at, count);
            }
            dst.position(p + count * width);
            return;
        }
        for (int i = 0; i < count; i++) {
            int q = p + i * width;
            int j = at + i;
            long f = flatStart + i;
            switch (this) {
                case F64 -> dst.putDouble(q, src.getDouble(j));
                case F32 -> dst.putFloat(q, (float) src.getDouble(j));
                case F16 -> dst.putShort(q, Float.floatToFloat16((float) src.getDouble(j)));
                case BF16 -> dst.putShort(q, toBFloat16((float) src.getDouble(j)));
                case I64 -> dst.putLong(q, integral(src, j, f, Long.MIN_VALUE, Long.MAX_VALUE, what));
                case I32 -> dst.putInt(q, (int) integral(src, j, f, Integer.MIN_VALUE, Integer.MAX_VALUE, what));
                case I16 -> dst.putShort(q, (short) integral(src, j, f, Short.MIN_VALUE, Short.MAX_VALUE, what));
                case I8 -> dst.put(q, (byte) integral(src, j, f, Byte.MIN_VALUE, Byte.MAX_VALUE, what));
                case U8 -> dst.put(q, (byte) integral(src, j, f, 0, 255, what));
                case BOOL -> dst.put(q, (byte) integral(src, j, f, 0, 1, what));
            }
        }
        dst.position(p + count * width);
    }

    /** float32 to bfloat16 bits, rounding to nearest even like PyTorch; NaN stays a (quiet) NaN. */
    static short toBFloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    private long integral(Storage src, int i, long flat, long lo, long hi, String what) {
        long v;
        if (src.dtype().isFloatingPoint()) {
            double d = src.getDouble(i);
            if (d != Math.rint(d) || d < lo || d >= hi + 1.0) {
                throw new IllegalArgumentException(
                        what + ": value " + d + " at flat index " + flat + " cannot be stored exactly as " + name());
            }
            v = (long) d;
        } else {
            v = src.getLong(i);
        }
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(what + ": value " + v + " at flat index " + flat + " is outside the "
                    + name() + " range [" + lo + ", " + hi + "]");
        }
        return v;
    }
}
