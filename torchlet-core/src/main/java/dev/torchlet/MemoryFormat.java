package dev.torchlet;

/**
 * How a 4-D (N, C, H, W) tensor's elements are ordered in memory, like PyTorch's {@code torch.memory_format}.
 * The shape and indexing are the same either way; only the strides differ.
 *
 * <pre>
 *   CONTIGUOUS     row-major NCHW: strides (C*H*W, H*W, W, 1)
 *   CHANNELS_LAST  NHWC:           strides (H*W*C, 1, W*C, C)   (torch.channels_last)
 * </pre>
 *
 * Convolutions and max pooling keep a channels-last input channels-last, and in inference (no autograd) run
 * kernels made for that layout: the channels of a pixel are adjacent, so one vector instruction computes 16
 * output channels at once and the weights are packed once per model instead of once per call. Convert an input
 * with {@code x.contiguous(MemoryFormat.CHANNELS_LAST)}; every other op accepts either layout.
 */
public enum MemoryFormat {
    /** Row-major, the default ({@code torch.contiguous_format}). */
    CONTIGUOUS,
    /** Channels last, NHWC order for a 4-D tensor ({@code torch.channels_last}). */
    CHANNELS_LAST
}
