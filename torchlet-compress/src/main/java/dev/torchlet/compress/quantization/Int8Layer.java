package dev.torchlet.compress.quantization;

import java.util.List;

/**
 * A quantized layer whose state dict holds int8 weights (as int64 tensors of the integer values; stored as I8 in
 * safetensors) next to float scales. After its buffers are loaded it rebuilds its kernel-ready form.
 */
public interface Int8Layer {
    /** Local names of the buffers that hold int8 values. */
    List<String> int8Buffers();

    /** Rebuilds packed weights and cached parameters from the buffers (after a state-dict load). */
    void repack();
}
