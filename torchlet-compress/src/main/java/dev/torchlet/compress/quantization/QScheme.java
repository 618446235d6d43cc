package dev.torchlet.compress.quantization;

/** How scales and zero points are chosen, PyTorch's {@code torch.qscheme}. */
public enum QScheme {
    PER_TENSOR_AFFINE,
    PER_TENSOR_SYMMETRIC,
    PER_CHANNEL_AFFINE,
    PER_CHANNEL_SYMMETRIC;

    public boolean isPerChannel() {
        return this == PER_CHANNEL_AFFINE || this == PER_CHANNEL_SYMMETRIC;
    }

    public boolean isSymmetric() {
        return this == PER_TENSOR_SYMMETRIC || this == PER_CHANNEL_SYMMETRIC;
    }
}
