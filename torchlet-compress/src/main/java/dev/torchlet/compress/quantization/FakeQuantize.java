package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.nn.Module;

/**
 * Simulated quantization for quantization-aware training, PyTorch's {@code FakeQuantize}: in training the observer
 * updates its statistics, then {@code x -> (clamp(rint(x / scale) + zp, qmin, qmax) - zp) * scale} in float.
 * The gradient is the straight-through estimator: it passes unchanged where {@code rint(x / scale) + zp} lies in
 * [qmin, qmax] and is zero where the value was clamped ({@code fake_quantize_per_tensor_affine}'s cached mask).
 * The observer's child name is PyTorch's {@code activation_post_process}.
 */
public final class FakeQuantize extends Module {
    private final Observer observer;
    private boolean observerEnabled = true;
    private boolean fakeQuantEnabled = true;
    private QParams qparams;

    public FakeQuantize(Observer observer) {
        this.observer = observer;
        registerModule("activation_post_process", observer);
    }

    /** QAT's activation fake-quantizer: moving-average min/max, quint8 affine, fbgemm's reduced range. */
    public static FakeQuantize forActivations() {
        return new FakeQuantize(
                new MovingAverageMinMaxObserver(0.01f, QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, true));
    }

    /** QAT's weight fake-quantizer: moving-average per-channel min/max, qint8 symmetric. */
    public static FakeQuantize forWeights() {
        return new FakeQuantize(PerChannelMinMaxObserver.movingAverageForWeights());
    }

    @Override
    public Tensor forward(Tensor x) {
        if (observerEnabled && isTraining()) {
            observer.call(x);
            qparams = observer.calculateQParams();
        } else if (qparams == null) {
            observer.call(x); // first call outside training: calibrate once so the parameters exist
            qparams = observer.calculateQParams();
        }
        return fakeQuantEnabled ? fakeQuantize(x, qparams, observer.quantMin(), observer.quantMax()) : x;
    }

    /**
     * {@code torch.fake_quantize_per_tensor_affine} / {@code fake_quantize_per_channel_affine} with the
     * straight-through gradient.
     */
    public static Tensor fakeQuantize(Tensor x, QParams p, int qmin, int qmax) {
        int[] shape = x.shape();
        float[] v = x.toFloatArray();
        float[] out = new float[v.length];
        boolean[] pass = new boolean[v.length];
        int inner = p.isPerChannel() ? QTensor.inner(shape, p.axis()) : v.length;
        int channels = p.isPerChannel() ? shape[p.axis()] : 1;
        for (int start = 0; start < v.length; start += inner) {
            int c = (start / inner) % channels;
            float scale = p.scales()[c];
            float inv = 1f / scale;
            int zp = p.zeroPoints()[c];
            for (int i = start; i < start + inner; i++) {
                double q = Math.rint(v[i] * inv) + zp;
                pass[i] = q >= qmin && q <= qmax;
                out[i] = (float) (Math.max(qmin, Math.min(qmax, q)) - zp) * scale;
            }
        }
        Tensor result = Torch.tensor(out, shape);
        Tensor mask = Torch.tensor(pass, shape);
        return Autograd.record(
                "FakeQuantizePerTensorAffineCachemaskBackward0",
                result,
                new Tensor[] {x},
                new Tensor[] {mask},
                (g, s) -> new Tensor[] {g.mul(s[0])});
    }

    public Observer observer() {
        return observer;
    }

    /** The parameters in use (null before the first forward). */
    public QParams qparams() {
        return qparams;
    }

    /** Freezes the observer's statistics (PyTorch's {@code disable_observer}), e.g. for the last QAT epochs. */
    public FakeQuantize disableObserver() {
        observerEnabled = false;
        return this;
    }

    public FakeQuantize enableObserver() {
        observerEnabled = true;
        return this;
    }

    public FakeQuantize disableFakeQuant() {
        fakeQuantEnabled = false;
        return this;
    }

    public FakeQuantize enableFakeQuant() {
        fakeQuantEnabled = true;
        return this;
    }
}
