package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.compress.kernels.RecurrentGates;
import dev.torchlet.nn.RecurrentLayer;
import dev.torchlet.nn.RecurrentOptions;
import dev.torchlet.ops.Recurrent;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared part of {@link DynamicQuantizedLSTM} and {@link DynamicQuantizedGRU}, PyTorch's
 * {@code torch.ao.nn.quantized.dynamic.LSTM/GRU}: a {@link RecurrentLayer} (so it replaces a float one wherever that
 * is called, packed sequences included) whose W_ih, W_hh (and an LSTM's W_hr) are per-channel symmetric int8 and
 * whose biases stay float. Per layer and direction, as PyTorch's CPU path runs it:
 *
 * <pre>
 *   xp = dyn(x) W_ih^T + b_ih          the whole (B*T, in) input quantized once, one int8 GEMM
 *   per step t, over the running rows:
 *     hp = dyn(h) W_hh^T + b_hh        h (bs, Hr) quantized per step
 *     gates, c and h in float ({@link RecurrentGates}; LSTM: i f g o; GRU: r z n with n = tanh(x_n + r * h_n))
 *     LSTM with projection: h = dyn(o * tanh(c)) W_hr^T
 * </pre>
 *
 * where {@code dyn} picks a per-tensor quint8 scale and zero point from the values' range ({@link DynamicQParams},
 * reduce_range) and the product runs int8 x int8 -> int32 ({@link Int8Weights#dynamicProduct}). Inference only:
 * the result carries no gradient, whatever the inputs require; in training mode, dropout between layers still
 * applies as in the float layer.
 *
 * <p>State dict, per layer and direction suffix ({@code l0}, {@code l0_reverse}, ...): {@code weight_ih_l0} (G*H,
 * in) int8 values, {@code weight_ih_l0_scale} (G*H), {@code weight_hh_l0}, {@code weight_hh_l0_scale},
 * {@code bias_ih_l0}, {@code bias_hh_l0} (G*H) if the layer has biases, and {@code weight_hr_l0},
 * {@code weight_hr_l0_scale} with a projection.
 */
public abstract sealed class DynamicQuantizedRecurrent extends RecurrentLayer implements Int8Layer
        permits DynamicQuantizedLSTM, DynamicQuantizedGRU {
    private final int gateCount;
    private final List<String> int8Names = new ArrayList<>();
    /** Kernel-ready weights per layer and direction, index k * D + d. */
    private Weights[] weights;

    /** One layer and direction. Biases null if the layer has none; hr null without a projection. */
    private record Weights(Int8Weights ih, Int8Weights hh, Int8Weights hr, float[] bih, float[] bhh) {}

    DynamicQuantizedRecurrent(RecurrentLayer source, int gateCount) {
        super(source.options(), gateCount, false);
        this.gateCount = gateCount;
        RecurrentOptions o = source.options();
        for (int k = 0; k < numLayers; k++) {
            for (int d = 0; d < o.numDirections(); d++) {
                String sfx = suffix(k, d == 1);
                registerInt8("weight_ih_l" + sfx, source.parameter("weight_ih_l" + sfx));
                registerInt8("weight_hh_l" + sfx, source.parameter("weight_hh_l" + sfx));
                if (o.bias()) {
                    registerBuffer(
                            "bias_ih_l" + sfx,
                            source.parameter("bias_ih_l" + sfx).detach());
                    registerBuffer(
                            "bias_hh_l" + sfx,
                            source.parameter("bias_hh_l" + sfx).detach());
                }
                if (projSize > 0) {
                    registerInt8("weight_hr_l" + sfx, source.parameter("weight_hr_l" + sfx));
                }
            }
        }
        repack();
    }

    private void registerInt8(String name, Tensor floatWeight) {
        Int8Weights w = Int8Weights.quantize(floatWeight);
        registerBuffer(name, w.intTensor());
        registerBuffer(name + "_scale", w.scaleTensor());
        int8Names.add(name);
    }

    @Override
    public List<String> int8Buffers() {
        return List.copyOf(int8Names);
    }

    @Override
    public void repack() {
        int dirs = options().numDirections();
        Weights[] ws = new Weights[numLayers * dirs];
        for (int k = 0; k < numLayers; k++) {
            for (int d = 0; d < dirs; d++) {
                String sfx = suffix(k, d == 1);
                boolean bias = options().bias();
                ws[k * dirs + d] = new Weights(
                        int8("weight_ih_l" + sfx),
                        int8("weight_hh_l" + sfx),
                        projSize > 0 ? int8("weight_hr_l" + sfx) : null,
                        bias ? buffer("bias_ih_l" + sfx).toFloatArray() : null,
                        bias ? buffer("bias_hh_l" + sfx).toFloatArray() : null);
            }
        }
        weights = ws;
    }

    private Int8Weights int8(String name) {
        return Int8Weights.fromBuffers(buffer(name), buffer(name + "_scale"));
    }

    @Override
    protected Recurrent.Result direction(
            String op, int layer, boolean reverse, Tensor x, int[] lengths, Tensor h0, Tensor c0) {
        Weights w = weights[layer * options().numDirections() + (reverse ? 1 : 0)];
        int b = x.size(0);
        int t = x.size(1);
        int hs = hiddenSize;
        int hr = options().outputHiddenSize();
        int gh = gateCount * hs;
        // the input projection of every step (padding rows are zeros and cannot move the range, which includes 0)
        float[] xp = new float[b * t * gh]; // (B, T, G*H)
        w.ih.dynamicProduct(x.contiguous().toFloatArray(), 0, b * t, w.bih, xp, 0);
        float[] h = h0.toFloatArray(); // (B, Hr), rows in [bs, B) keep the state of finished sequences
        float[] c = c0 == null ? null : c0.toFloatArray(); // (B, H)
        float[] hp = new float[b * gh];
        float[] hRaw = w.hr == null ? null : new float[b * hs];
        float[] out = new float[b * t * hr]; // zero at padding steps
        for (int s = 0; s < t; s++) {
            int bs = running(lengths, b, s);
            if (bs == 0) {
                break;
            }
            w.hh.dynamicProduct(h, 0, bs, w.bhh, hp, 0); // (bs, G*H), h quantized per step
            for (int r = 0; r < bs; r++) {
                int ts = reverse ? (lengths == null ? t : lengths[r]) - 1 - s : s;
                int xo = (r * t + ts) * gh;
                if (c == null) {
                    RecurrentGates.gru(hs, xp, xo, hp, r * gh, h, r * hr);
                } else {
                    RecurrentGates.lstm(hs, xp, xo, hp, r * gh, c, r * hs, hRaw == null ? h : hRaw, r * hs);
                }
            }
            if (hRaw != null) {
                w.hr.dynamicProduct(hRaw, 0, bs, null, h, 0); // (bs, P) = dyn(o * tanh(c)) W_hr^T
            }
            for (int r = 0; r < bs; r++) {
                int ts = reverse ? (lengths == null ? t : lengths[r]) - 1 - s : s;
                System.arraycopy(h, r * hr, out, (r * t + ts) * hr, hr);
            }
        }
        return new Recurrent.Result(
                Torch.tensor(out, b, t, hr), Torch.tensor(h, b, hr), c == null ? null : Torch.tensor(c, b, hs));
    }

    /** Sequences (sorted by decreasing length) still running at step s. */
    private static int running(int[] lengths, int b, int s) {
        if (lengths == null) {
            return b;
        }
        int bs = 0;
        while (bs < b && lengths[bs] > s) {
            bs++;
        }
        return bs;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", dtype=torch.qint8, qscheme=per_channel_symmetric";
    }
}
