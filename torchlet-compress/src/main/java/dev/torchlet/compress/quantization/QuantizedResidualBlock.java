package dev.torchlet.compress.quantization;

import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;
import java.util.Arrays;
import java.util.List;

/**
 * The int8 form of a ResNet block: int8 convolutions for the body and the downsample, then the quantized
 * {@code add_relu}: {@code q = clamp(rint(max(0, s1 (q1 - z1) + s2 (q2 - z2)) / s) + z, 0, 127)}, computed on the
 * integers. Buffers {@code scale}, {@code zero_point}: the output parameters.
 */
final class QuantizedResidualBlock extends QuantizedStage {
    QuantizedResidualBlock(List<QuantizedStage> body, QuantizedStage downsample, QParams out) {
        registerModule("body", new Sequential(body.toArray(new Module[0])));
        if (downsample != null) {
            registerModule("downsample", downsample);
        }
        registerBuffer("scale", Torch.tensor(new float[] {out.scale()}, 1));
        registerBuffer("zero_point", Torch.tensor(new long[] {out.zeroPoint()}, 1));
    }

    @Override
    QTensor forwardQuantized(QTensor x) {
        QTensor out = x;
        for (Module m : child("body").children()) {
            out = ((QuantizedStage) m).forwardQuantized(out);
        }
        QTensor shortcut = namedChildren().containsKey("downsample")
                ? ((QuantizedStage) child("downsample")).forwardQuantized(x)
                : x;
        if (!Arrays.equals(out.shape(), shortcut.shape())) {
            throw new IllegalArgumentException("QuantizedResidualBlock: body " + Arrays.toString(out.shape())
                    + " and shortcut " + Arrays.toString(shortcut.shape()) + " differ");
        }
        return addRelu(out, shortcut, outputQParams());
    }

    /** Quantized add + relu of two quint8 tensors of the same shape. */
    static QTensor addRelu(QTensor a, QTensor b, QParams out) {
        float sa = a.qparams().scale();
        float sb = b.qparams().scale();
        int za = a.qparams().zeroPoint();
        int zb = b.qparams().zeroPoint();
        float inv = 1f / out.scale();
        int zo = out.zeroPoint();
        byte[] qa = a.data();
        byte[] qb = b.data();
        byte[] y = new byte[qa.length];
        for (int i = 0; i < y.length; i++) {
            float v = Math.max(0f, sa * ((qa[i] & 0xFF) - za) + sb * ((qb[i] & 0xFF) - zb));
            int q = (int) Math.rint(v * inv) + zo;
            y[i] = (byte) Math.min(ACTIVATION_QMAX, q);
        }
        return new QTensor(y, a.shape(), QuantDType.QUINT8, out);
    }
}
