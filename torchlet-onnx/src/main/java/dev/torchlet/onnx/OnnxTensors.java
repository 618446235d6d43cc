package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.onnx.proto.Onnx.StringStringEntryProto;
import dev.torchlet.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ONNX {@code TensorProto} -> Torchlet tensor. Float, double, int64 and bool keep their meaning; int32, int16, int8
 * and uint8 become int64 (Torchlet's integer type). Values come from {@code raw_data} (little-endian), the typed
 * fields, or an external-data file next to the model.
 */
final class OnnxTensors {
    private OnnxTensors() {}

    /** ONNX data type codes (TensorProto.DataType). */
    static final int FLOAT = 1;

    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT16 = 5;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int BOOL = 9;
    static final int DOUBLE = 11;

    static String typeName(int type) {
        return TensorProto.DataType.forNumber(type) == null
                ? "type " + type
                : TensorProto.DataType.forNumber(type).name();
    }

    /** The tensor; {@code modelDir} resolves external data (null: external data is an error). */
    static Tensor read(TensorProto t, Path modelDir) throws IOException {
        int[] shape = new int[t.getDimsCount()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new IOException("tensor '" + t.getName() + "' has dimension " + d);
            }
            shape[i] = (int) d;
            n = Math.min(n * d, Integer.MAX_VALUE + 1L); // capped: several huge dims must not wrap around to < 0
        }
        if (n > Integer.MAX_VALUE) {
            throw new IOException("tensor '" + t.getName() + "' of shape " + java.util.Arrays.toString(shape)
                    + " has more elements than one array holds");
        }
        int count = (int) n;
        ByteBuffer raw = null;
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            raw = external(t, modelDir);
        } else if (!t.getRawData().isEmpty()) {
            raw = t.getRawData().asReadOnlyByteBuffer();
        }
        if (raw != null) {
            raw = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
            int width = width(t.getDataType(), t.getName());
            if ((long) raw.remaining() != (long) count * width) {
                throw new IOException("tensor '" + t.getName() + "' of shape " + java.util.Arrays.toString(shape)
                        + " and " + typeName(t.getDataType()) + " needs " + (long) count * width + " bytes, has "
                        + raw.remaining());
            }
        }
        return switch (t.getDataType()) {
            case FLOAT -> {
                float[] f = new float[count];
                if (raw != null) {
                    raw.asFloatBuffer().get(f);
                } else {
                    check(t, t.getFloatDataCount(), count);
                    for (int i = 0; i < count; i++) {
                        f[i] = t.getFloatData(i);
                    }
                }
                yield Torch.tensor(f, shape);
            }
            case DOUBLE -> {
                double[] d = new double[count];
                if (raw != null) {
                    raw.asDoubleBuffer().get(d);
                } else {
                    check(t, t.getDoubleDataCount(), count);
                    for (int i = 0; i < count; i++) {
                        d[i] = t.getDoubleData(i);
                    }
                }
                yield Torch.tensor(d, shape);
            }
            case INT64 -> {
                long[] l = new long[count];
                if (raw != null) {
                    raw.asLongBuffer().get(l);
                } else {
                    check(t, t.getInt64DataCount(), count);
                    for (int i = 0; i < count; i++) {
                        l[i] = t.getInt64Data(i);
                    }
                }
                yield Torch.tensor(l, shape);
            }
            case INT32, INT16, INT8, UINT8, BOOL -> {
                long[] l = new long[count];
                if (raw != null) {
                    for (int i = 0; i < count; i++) {
                        l[i] = switch (t.getDataType()) {
                            case INT32 -> raw.getInt(i * 4);
                            case INT16 -> raw.getShort(i * 2);
                            case INT8 -> raw.get(i);
                            default -> raw.get(i) & 0xff;
                        };
                    }
                } else {
                    check(t, t.getInt32DataCount(), count);
                    for (int i = 0; i < count; i++) {
                        l[i] = t.getInt32Data(i);
                    }
                }
                if (t.getDataType() == BOOL) {
                    boolean[] b = new boolean[count];
                    for (int i = 0; i < count; i++) {
                        b[i] = l[i] != 0;
                    }
                    yield Torch.tensor(b, shape);
                }
                yield Torch.tensor(l, shape);
            }
            default ->
                throw new IOException("tensor '" + t.getName() + "' has data type " + typeName(t.getDataType())
                        + "; supported: FLOAT, DOUBLE, INT64, INT32, INT16, INT8, UINT8, BOOL");
        };
    }

    private static void check(TensorProto t, int have, int want) throws IOException {
        if (have != want) {
            throw new IOException("tensor '" + t.getName() + "' needs " + want + " values, has " + have);
        }
    }

    private static int width(int type, String name) throws IOException {
        return switch (type) {
            case FLOAT, INT32 -> 4;
            case DOUBLE, INT64 -> 8;
            case INT16 -> 2;
            case INT8, UINT8, BOOL -> 1;
            default -> throw new IOException("tensor '" + name + "' has unsupported data type " + typeName(type));
        };
    }

    /** The bytes of an external-data tensor: location (relative to the model), offset, length. */
    private static ByteBuffer external(TensorProto t, Path modelDir) throws IOException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = Long.parseLong(e.getValue());
                case "length" -> length = Long.parseLong(e.getValue());
                default -> {}
            }
        }
        if (location == null) {
            throw new IOException("tensor '" + t.getName() + "' is stored externally but names no location");
        }
        if (modelDir == null) {
            throw new IOException("tensor '" + t.getName() + "' is stored in external file '" + location
                    + "', but the model was not loaded from a file");
        }
        Path file = modelDir.resolve(location).normalize();
        if (!file.startsWith(modelDir.normalize())) {
            throw new IOException("tensor '" + t.getName() + "': external data location '" + location
                    + "' points outside the model's folder");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("tensor '" + t.getName() + "': external data file " + file + " does not exist");
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long size = in.length();
            long len = length >= 0 ? length : size - offset;
            if (offset < 0 || len < 0 || offset + len > size || len > Integer.MAX_VALUE) {
                throw new IOException("tensor '" + t.getName() + "': bytes [" + offset + ", " + (offset + len)
                        + ") are outside external data file " + file + " (" + size + " bytes)");
            }
            byte[] bytes = new byte[(int) len];
            in.seek(offset);
            in.readFully(bytes);
            return ByteBuffer.wrap(bytes);
        }
    }
}
