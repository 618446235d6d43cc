package dev.torchlet;

/** Prints tensors the way PyTorch does. */
final class TensorFormatter {
    private TensorFormatter() {}

    static String format(Tensor t) {
        return "tensor(" + java.util.Arrays.toString(t.toDoubleArray()) + ")";
    }
}
