package dev.torchlet;

/**
 * Element types. float32 is the default for floating-point data, int64 for labels and
 * indices, float64 for gradient checks, bool for masks and comparison results.
 *
 * <p>Type promotion follows PyTorch's category order: bool &lt; int64 &lt; float32 &lt; float64.
 */
public enum DType {
    BOOL("torch.bool", 1),
    INT64("torch.int64", 8),
    FLOAT32("torch.float32", 4),
    FLOAT64("torch.float64", 8);

    private final String torchName;
    private final int byteSize;

    DType(String torchName, int byteSize) {
        this.torchName = torchName;
        this.byteSize = byteSize;
    }

    /** The name PyTorch prints, e.g. {@code torch.float32}. */
    public String torchName() {
        return torchName;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The result type of a binary op between tensors of types a and b. */
    public static DType promote(DType a, DType b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /** The result type of a binary op between a tensor of type t and a Java float scalar. */
    public static DType promoteWithFloatScalar(DType t) {
        return t.isFloatingPoint() ? t : FLOAT32;
    }

    @Override
    public String toString() {
        return torchName;
    }
}
