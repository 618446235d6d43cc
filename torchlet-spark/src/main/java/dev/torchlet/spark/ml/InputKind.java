package dev.torchlet.spark.ml;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** What an input column holds, decided from its Spark type; the error lists the types a stage accepts. */
public enum InputKind {
    /** Spark's {@code image} data source struct (origin, height, width, nChannels, mode, data in BGR order). */
    IMAGE_STRUCT,
    /** Encoded image bytes (JPEG, PNG, ...), e.g. the {@code content} column of the {@code binaryFile} source. */
    IMAGE_BYTES,
    /** A path or {@code file:} URI of an image file. */
    IMAGE_PATH,
    /** An ML vector ({@code org.apache.spark.ml.linalg.Vector}). */
    VECTOR,
    /** {@code array<float>} or {@code array<double>}. */
    NUMBER_ARRAY,
    /** A string column read by a text model (one whose architecture has a tokenizer). */
    TEXT;

    static final String ACCEPTED = "an image struct (spark.read.format(\"image\")), binary image bytes "
            + "(format(\"binaryFile\") content), a string path, an ML vector, or array<float>/array<double>";

    private static final Set<String> IMAGE_FIELDS = Set.of("height", "width", "nChannels", "mode", "data");

    /** Whether the kind is decoded as an image (through the model's preprocessing). */
    public boolean isImage() {
        return this == IMAGE_STRUCT || this == IMAGE_BYTES || this == IMAGE_PATH;
    }

    /**
     * The kind of column {@code name} of schema for an image/numeric model ({@code textModel} false) or a text
     * model; errors name the column and its type.
     */
    public static InputKind of(StructType schema, String name, boolean textModel) {
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains(name)) {
            throw new IllegalArgumentException(
                    "TorchletModel: input column '" + name + "' does not exist; columns: " + String.join(", ", names));
        }
        DataType type = schema.apply(name).dataType();
        if (textModel) {
            if (type.equals(DataTypes.StringType)) {
                return TEXT;
            }
            throw new IllegalArgumentException("TorchletModel: input column '" + name + "' has type "
                    + type.simpleString() + "; the model reads text, so it needs a string column");
        }
        if (type instanceof StructType struct) {
            Set<String> fields =
                    Arrays.stream(struct.fields()).map(StructField::name).collect(Collectors.toSet());
            if (fields.containsAll(IMAGE_FIELDS)) {
                return IMAGE_STRUCT;
            }
        } else if (type.equals(DataTypes.BinaryType)) {
            return IMAGE_BYTES;
        } else if (type.equals(DataTypes.StringType)) {
            return IMAGE_PATH;
        } else if (type.equals(SQLDataTypes.VectorType())) {
            return VECTOR;
        } else if (type instanceof ArrayType array
                && (array.elementType().equals(DataTypes.FloatType)
                        || array.elementType().equals(DataTypes.DoubleType))) {
            return NUMBER_ARRAY;
        }
        throw new IllegalArgumentException("TorchletModel: input column '" + name + "' has type " + type.simpleString()
                + "; expected " + ACCEPTED);
    }
}
