package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;

/**
 * A Conv2d or Linear (batch norm already folded in) with an optional fused ReLU, and the observer of its output,
 * as {@link StaticQuantizer#prepare} builds it; PyTorch's observed {@code ConvReLU2d} / {@code LinearReLU}. Under
 * quantization-aware training the weight passes through {@code weight_fake_quant} and the output through a
 * {@link FakeQuantize}, so training sees the rounding it will get after {@link StaticQuantizer#convert}.
 *
 * <p>Children: {@code module} (the float layer), {@code activation_post_process}, and {@code weight_fake_quant}
 * under QAT.
 */
final class ObservedLayer extends Module {
    private final boolean relu;
    private final boolean qat;

    ObservedLayer(Module layer, boolean relu, QConfig qconfig) {
        if (!(layer instanceof Conv2d) && !(layer instanceof Linear)) {
            throw new IllegalArgumentException("ObservedLayer: Conv2d or Linear expected, got "
                    + layer.getClass().getSimpleName());
        }
        this.relu = relu;
        this.qat = qconfig.qat();
        registerModule("module", layer);
        Observer observer = qconfig.newActivationObserver();
        registerModule("activation_post_process", qat ? new FakeQuantize(observer) : observer);
        if (qat) {
            registerModule("weight_fake_quant", FakeQuantize.forWeights());
        }
    }

    Module layer() {
        return child("module");
    }

    boolean relu() {
        return relu;
    }

    /** The observer of the output (inside the fake-quantizer under QAT). */
    Observer outputObserver() {
        Module m = child("activation_post_process");
        return m instanceof FakeQuantize fq ? fq.observer() : (Observer) m;
    }

    /**
     * The weight parameters training saw under QAT (the fake-quantizer's moving-average statistics, so the int8
     * weights clamp exactly as in training, as PyTorch's convert does); null after post-training calibration.
     */
    QParams weightQParams() {
        return qat ? ((FakeQuantize) child("weight_fake_quant")).observer().calculateQParams() : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Module layer = layer();
        Tensor y;
        if (layer instanceof Conv2d conv) {
            Tensor w = qat ? child("weight_fake_quant").call(conv.weight()) : conv.weight();
            var o = conv.options();
            y = F.conv2d(x, w, conv.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
        } else {
            Linear lin = (Linear) layer;
            Tensor w = qat ? child("weight_fake_quant").call(lin.weight()) : lin.weight();
            y = F.linear(x, w, lin.bias());
        }
        if (relu) {
            y = y.relu();
        }
        return child("activation_post_process").call(y);
    }

    @Override
    protected String extraRepr() {
        return relu ? "relu=True" : "";
    }
}
