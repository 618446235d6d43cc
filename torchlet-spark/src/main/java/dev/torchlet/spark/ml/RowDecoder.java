package dev.torchlet.spark.ml;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.transforms.Image;
import dev.torchlet.spark.ColumnValues;
import dev.torchlet.spark.ModelArchitecture;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.sql.Row;

/**
 * Decodes one cell of the input column into the model's input tensor: images through the model's
 * preprocessing to (C, H, W), numbers reshaped to {@code inputShape} (or kept flat, (D,)). Errors are
 * {@link IOException}s or {@link IllegalArgumentException}s whose message says what is wrong with the value.
 */
final class RowDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final InputKind kind;
    private final int column;
    private final int[] inputShape; // null: keep numbers flat
    private final int nameColumn; // a "path" or "origin" string column that names the row in errors; -1: none

    RowDecoder(InputKind kind, int column, int[] inputShape, int nameColumn) {
        this.kind = kind;
        this.column = column;
        this.nameColumn = nameColumn;
        this.inputShape = inputShape == null || inputShape.length == 0 ? null : inputShape.clone();
    }

    Tensor decode(Row row, ModelArchitecture model) throws IOException {
        if (row.isNullAt(column)) {
            throw new IllegalArgumentException("the input is null");
        }
        return switch (kind) {
            case IMAGE_STRUCT ->
                model.imageTransform().apply(fromImageStruct(row.getStruct(column), model.imageChannels()));
            case IMAGE_BYTES ->
                model.imageTransform().apply(Image.decode((byte[]) row.get(column), model.imageChannels()));
            case IMAGE_PATH -> model.imageTransform().apply(fromPath(row.getString(column), model.imageChannels()));
            case VECTOR, NUMBER_ARRAY -> numbers(row.get(column));
            case TEXT -> throw new IllegalStateException("text rows are tokenized in batches: use text(row)");
        };
    }

    /** The string of a text row; null and blank strings are invalid rows. */
    String text(Row row) {
        if (row.isNullAt(column)) {
            throw new IllegalArgumentException("the text is null");
        }
        String text = row.getString(column);
        if (text.isBlank()) {
            throw new IllegalArgumentException("the text is empty");
        }
        return text;
    }

    /** A short description of the row's input for error messages: the path or origin when there is one. */
    String describe(Row row) {
        if (nameColumn >= 0 && !row.isNullAt(nameColumn)) {
            return row.get(nameColumn).toString();
        }
        if (row.isNullAt(column)) {
            return "null";
        }
        return switch (kind) {
            case IMAGE_STRUCT -> String.valueOf(row.getStruct(column).getAs("origin"));
            case IMAGE_PATH -> row.getString(column);
            case TEXT -> {
                String t = row.getString(column);
                yield "\"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
            }
            case IMAGE_BYTES -> ((byte[]) row.get(column)).length + " bytes";
            case VECTOR, NUMBER_ARRAY -> "a " + kind.name().toLowerCase() + " value";
        };
    }

    private Tensor numbers(Object cell) {
        double[] values = ColumnValues.numbers(cell);
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        if (inputShape == null) {
            return Torch.tensor(f, f.length);
        }
        long expected = Arrays.stream(inputShape).asLongStream().reduce(1, (a, b) -> a * b);
        if (expected != f.length) {
            throw new IllegalArgumentException("has " + f.length + " numbers but inputShape "
                    + Arrays.toString(inputShape) + " needs " + expected);
        }
        return Torch.tensor(f, inputShape);
    }

    /** Spark's image struct: bytes row by row, channels in BGR(A) order (OpenCV's), 1, 3 or 4 channels. */
    static Image fromImageStruct(Row image, int channels) {
        int height = image.getInt(image.fieldIndex("height"));
        int width = image.getInt(image.fieldIndex("width"));
        int n = image.getInt(image.fieldIndex("nChannels"));
        byte[] data = (byte[]) image.get(image.fieldIndex("data"));
        if (n != 1 && n != 3 && n != 4) {
            throw new IllegalArgumentException("image struct has " + n + " channels; expected 1, 3 or 4");
        }
        if (height <= 0 || width <= 0 || data == null || data.length != (long) height * width * n) {
            throw new IllegalArgumentException("image struct says " + width + "x" + height + "x" + n + " but holds "
                    + (data == null ? "no" : String.valueOf(data.length)) + " bytes (an undecodable image?)");
        }
        byte[] rgb = new byte[width * height * channels];
        for (int p = 0; p < width * height; p++) {
            int b = data[p * n] & 0xff;
            int g = n == 1 ? b : data[p * n + 1] & 0xff;
            int r = n == 1 ? b : data[p * n + 2] & 0xff;
            if (channels == 1) {
                rgb[p] = (byte) (n == 1 ? b : luma(r, g, b));
            } else {
                rgb[p * 3] = (byte) r;
                rgb[p * 3 + 1] = (byte) g;
                rgb[p * 3 + 2] = (byte) b;
            }
        }
        return new Image(width, height, channels, rgb);
    }

    /** ITU-R 601-2 luma, as PIL's "L" conversion: L = R * 299/1000 + G * 587/1000 + B * 114/1000. */
    private static int luma(int r, int g, int b) {
        return (r * 299 + g * 587 + b * 114 + 500) / 1000;
    }

    static Image fromPath(String pathOrUri, int channels) throws IOException {
        Path path;
        if (pathOrUri.startsWith("file:")) {
            path = Path.of(URI.create(pathOrUri));
        } else if (pathOrUri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new IOException("only local paths and file: URIs are read directly; for '" + pathOrUri
                    + "' load the files with spark.read.format(\"binaryFile\") and use its content column");
        } else {
            path = Path.of(pathOrUri);
        }
        return Image.read(path, channels);
    }
}
