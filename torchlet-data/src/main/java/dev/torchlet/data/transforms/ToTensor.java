package dev.torchlet.data.transforms;

import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;

/** HWC uint8 {@link Image} to a CHW float32 tensor in [0, 1] (value / 255), like torchvision's ToTensor. */
public final class ToTensor implements Transform<Image, Tensor> {
    @Override
    public Tensor apply(Image img) {
        if (img == null) {
            throw new IllegalArgumentException("ToTensor: image is null");
        }
        int c = img.channels();
        int hw = img.width() * img.height();
        byte[] src = img.data();
        float[] out = new float[c * hw];
        if (c == 1) {
            for (int i = 0; i < hw; i++) {
                out[i] = (src[i] & 0xff) / 255f;
            }
        } else {
            for (int i = 0, s = 0; i < hw; i++, s += c) {
                for (int k = 0; k < c; k++) {
                    out[k * hw + i] = (src[s + k] & 0xff) / 255f;
                }
            }
        }
        return TensorInternals.wrap(Storage.of(out), c, img.height(), img.width());
    }

    @Override
    public String toString() {
        return "ToTensor()";
    }
}
