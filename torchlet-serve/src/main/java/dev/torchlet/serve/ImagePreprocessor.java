package dev.torchlet.serve;

import dev.torchlet.Tensor;
import java.io.IOException;

/** Encoded image bytes (PNG, JPEG, BMP, WebP, ...) to the model's input tensor (C, H, W). */
@FunctionalInterface
public interface ImagePreprocessor {
    /** Decodes and transforms; throws IOException when the bytes are not a readable image. */
    Tensor apply(byte[] encodedImage) throws IOException;
}
