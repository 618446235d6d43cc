package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;

/**
 * A model prepared for static quantization: an observer of the input ({@code quant}) and the fused layers in call
 * order ({@code body}). Run calibration batches through it (post-training) or train it (QAT), then
 * {@link StaticQuantizer#convert} it.
 */
public final class ObservedModel extends Module {
    private final QConfig qconfig;

    ObservedModel(Sequential body, QConfig qconfig) {
        this.qconfig = qconfig;
        Observer input = qconfig.newActivationObserver();
        registerModule("quant", qconfig.qat() ? new FakeQuantize(input) : input);
        registerModule("body", body);
    }

    public QConfig qconfig() {
        return qconfig;
    }

    Observer inputObserver() {
        Module m = child("quant");
        return m instanceof FakeQuantize fq ? fq.observer() : (Observer) m;
    }

    Sequential body() {
        return (Sequential) child("body");
    }

    @Override
    public Tensor forward(Tensor x) {
        return body().call(child("quant").call(x));
    }
}
