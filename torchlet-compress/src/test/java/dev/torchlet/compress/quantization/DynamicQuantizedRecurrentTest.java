package dev.torchlet.compress.quantization;

import static dev.torchlet.compress.quantization.QuantGolden.g;
import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.GRU;
import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.PackedSequence;
import dev.torchlet.nn.RecurrentLayer;
import dev.torchlet.nn.RecurrentOptions;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.functional.F;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic int8 LSTM/GRU against torch.ao.nn.quantized.dynamic.LSTM/GRU (per-channel weights) and the float layers. */
class DynamicQuantizedRecurrentTest {
    /** The golden's float state dict (prefix "dlstm." / "dgru.") for a layer with the same options. */
    private static Map<String, Tensor> goldenState(Module layer, String prefix) {
        Map<String, Tensor> sd = new HashMap<>();
        for (String k : layer.stateDict().keySet()) {
            sd.put(k, g(prefix + "." + k));
        }
        return sd;
    }

    /**
     * The same int8 weights and the same quantization points as PyTorch's CPU path (whole-sequence input projection,
     * h quantized per step), so the same integers; what differs is float rounding in the epilogue and the gates
     * (sigmoid/tanh, sum order), ~1e-7: measured 3e-8 for both. 1e-6 leaves room for that, and is far below the
     * int8-vs-float difference (1.6e-3 LSTM, 5.2e-3 GRU), so the golden pins the int8 arithmetic. (A rounding tie
     * that flipped in one step's activation quantization would show up as ~1e-3 and fail: none does here.)
     */
    @Test
    void lstmAndGruMatchPyTorch() {
        for (String kind : List.of("lstm", "gru")) {
            RecurrentLayer rnn = kind.equals("lstm") ? new LSTM(5, 7, 2, true) : new GRU(5, 7, 2, true);
            rnn.loadStateDict(goldenState(rnn, "d" + kind));
            Module model = new Sequential(rnn).eval();
            assertEquals(List.of("0"), Quantization.quantizeDynamic(model));
            Module q = model.getSubmodule("0");
            Class<?> type = kind.equals("lstm") ? DynamicQuantizedLSTM.class : DynamicQuantizedGRU.class;
            assertEquals(type, q.getClass());
            Tensor y = model.call(g("d" + kind + ".x"));
            assertClose(g("d" + kind + ".y"), y, 1e-6, 1e-6, "dynamic int8 " + kind);
            assertClose(g("d" + kind + ".float_y"), y, 0.05, 0.02, kind + " close to float");
            assertFalse(y.requiresGrad());
        }
    }

    /** |a - b| max over all elements. */
    private static double maxDiff(Tensor a, Tensor b) {
        assertArrayEquals(a.shape(), b.shape());
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    /**
     * Bidirectional, 2 layers, time-first, h0/c0 given, a packed batch of unsorted variable lengths: int8 against the
     * float layer. With U(-1/sqrt(H), 1/sqrt(H)) weights, per-channel int8 weights and 7-bit activations, the outputs
     * (|y| up to ~0.5) move by a few 1e-3 (measured 4.4e-3 LSTM, 9.1e-3 GRU); 0.03 is a bound that a wrong step
     * order, direction or state would break.
     */
    @Test
    void bidirectionalPackedCloseToFloat() {
        Torch.manualSeed(3);
        RecurrentOptions o = RecurrentOptions.of(6, 16)
                .withNumLayers(2)
                .withBidirectional(true)
                .withBatchFirst(false);
        for (RecurrentLayer rnn : List.of((RecurrentLayer) new LSTM(o), new GRU(o))) {
            rnn.eval();
            boolean lstm = rnn instanceof LSTM;
            RecurrentLayer q = lstm ? DynamicQuantizedLSTM.from((LSTM) rnn) : DynamicQuantizedGRU.from((GRU) rnn);
            Tensor x = Torch.randn(9, 4, 6); // (T, B, in)
            int[] lengths = {5, 9, 2, 7};
            PackedSequence packed = F.packPaddedSequence(x, lengths, false, false);
            Tensor h0 = Torch.randn(4, 4, 16).mul(0.5f);
            Tensor c0 = lstm ? Torch.randn(4, 4, 16).mul(0.5f) : null;
            var f = rnn.call(packed, h0, c0);
            var r = q.call(packed, h0, c0);
            double err = maxDiff(f.sequence().data(), r.sequence().data());
            assertTrue(err < 0.03 && err > 0, "packed output error " + err);
            assertTrue(maxDiff(f.hidden(), r.hidden()) < 0.03, "h_n");
            if (lstm) {
                assertTrue(maxDiff(f.cell(), r.cell()) < 0.03, "c_n");
            } else {
                assertNull(r.cell());
            }
            // padded, full length: the same layer on a plain tensor
            var pf = rnn.call(x, h0, c0);
            var pq = q.call(x, h0, c0);
            assertTrue(maxDiff(pf.output(), pq.output()) < 0.03, "padded output");
            // unbatched (T, in) is the batch of one
            Tensor x0 = x.select(1, 0);
            Tensor h00 = h0.select(1, 0);
            Tensor c00 = lstm ? c0.select(1, 0) : null;
            var u = q.call(x0, h00, c00);
            var b1 = q.call(x0.unsqueeze(1), h00.unsqueeze(1), lstm ? c00.unsqueeze(1) : null);
            assertClose(b1.output().squeeze(1), u.output(), 0, 0, "unbatched");
        }
    }

    @Test
    void projectionCloseToFloat() {
        Torch.manualSeed(4);
        LSTM rnn = new LSTM(RecurrentOptions.of(8, 12).withProjSize(5).withBatchFirst(true));
        rnn.eval();
        DynamicQuantizedLSTM q = DynamicQuantizedLSTM.from(rnn);
        Tensor x = Torch.randn(3, 6, 8);
        var f = rnn.call(x, null, null);
        var r = q.call(x, null, null);
        assertArrayEquals(new int[] {3, 6, 5}, r.output().shape());
        assertTrue(maxDiff(f.output(), r.output()) < 0.03, "projected output " + maxDiff(f.output(), r.output()));
        assertTrue(maxDiff(f.cell(), r.cell()) < 0.03, "c_n");
        assertTrue(q.int8Buffers().contains("weight_hr_l0"));
        // no biases: no bias buffers, still close
        LSTM nb = new LSTM(RecurrentOptions.of(8, 12).withBias(false).withNumLayers(2));
        nb.eval();
        DynamicQuantizedLSTM qnb = DynamicQuantizedLSTM.from(nb);
        assertFalse(qnb.stateDict().keySet().stream().anyMatch(k -> k.startsWith("bias")));
        Tensor xt = Torch.randn(6, 3, 8);
        assertTrue(maxDiff(nb.forward(xt), qnb.forward(xt)) < 0.03, "no bias");
    }

    /** Save, load into a quantized layer built from other weights, repack: the same output, bit for bit. */
    @Test
    void stateDictRoundTrip() {
        Torch.manualSeed(5);
        RecurrentOptions o = RecurrentOptions.of(4, 6).withBidirectional(true);
        DynamicQuantizedGRU a = DynamicQuantizedGRU.from(new GRU(o));
        DynamicQuantizedGRU b = DynamicQuantizedGRU.from(new GRU(o));
        Map<String, Tensor> sd = a.stateDict();
        assertEquals(
                List.of(
                        "weight_ih_l0",
                        "weight_ih_l0_scale",
                        "weight_hh_l0",
                        "weight_hh_l0_scale",
                        "bias_ih_l0",
                        "bias_hh_l0",
                        "weight_ih_l0_reverse",
                        "weight_ih_l0_reverse_scale",
                        "weight_hh_l0_reverse",
                        "weight_hh_l0_reverse_scale",
                        "bias_ih_l0_reverse",
                        "bias_hh_l0_reverse"),
                List.copyOf(sd.keySet()));
        assertEquals(
                List.of("weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse"),
                a.int8Buffers());
        assertTrue(a.parameters().isEmpty());
        Tensor x = Torch.randn(5, 2, 4);
        Tensor ya = a.forward(x);
        assertTrue(maxDiff(ya, b.forward(x)) > 0);
        b.loadStateDict(sd);
        b.repack();
        assertClose(ya, b.forward(x), 0, 0, "after load + repack");
    }

    /** A model that calls its child through RecurrentLayer with a packed batch, like LstmTextClassifier. */
    static final class TextModel extends Module {
        TextModel() {
            registerModule("lstm", new LSTM(RecurrentOptions.of(8, 10).withBatchFirst(true)), RecurrentLayer.class);
            registerModule("fc", new Linear(10, 3));
        }

        @Override
        public Tensor forward(Tensor x) {
            int[] lengths = {x.size(1), Math.max(1, x.size(1) - 2)};
            RecurrentLayer lstm = (RecurrentLayer) child("lstm");
            var r = lstm.call(F.packPaddedSequence(x, lengths, true, true), null, null);
            return child("fc").call(r.hidden().select(0, 0)); // (B, 3)
        }
    }

    @Test
    void quantizeDynamicOnARecurrentModel() {
        Torch.manualSeed(6);
        TextModel model = new TextModel();
        model.eval();
        Tensor x = Torch.randn(2, 7, 8);
        Tensor yf = model.forward(x);
        assertEquals(List.of("lstm", "fc"), Quantization.quantizeDynamic(model));
        assertInstanceOf(DynamicQuantizedLSTM.class, model.child("lstm"));
        assertInstanceOf(DynamicQuantizedLinear.class, model.child("fc"));
        Tensor yq = model.forward(x);
        assertTrue(maxDiff(yf, yq) < 0.03, "logits " + maxDiff(yf, yq));
        assertTrue(model.stateDict().containsKey("lstm.weight_ih_l0_scale"));
        assertTrue(
                model.child("lstm").toString().contains("dtype=torch.qint8"),
                model.child("lstm").toString());
    }

    /** Saved as safetensors (I8 weights) and loaded into a fresh float model, quantized in place: same output. */
    @Test
    void savesAndLoadsThroughQuantizedCheckpoint(@TempDir Path dir) throws Exception {
        Torch.manualSeed(7);
        TextModel model = new TextModel();
        model.eval();
        Quantization.quantizeDynamic(model);
        Tensor x = Torch.randn(2, 5, 8);
        Path file = dir.resolve("lstm-int8.safetensors");
        QuantizedCheckpoint.save(model, Map.of(), file);
        TextModel fresh = new TextModel();
        QuantizedCheckpoint.loadDynamic(file, fresh);
        assertInstanceOf(DynamicQuantizedLSTM.class, fresh.child("lstm"));
        assertClose(model.forward(x), fresh.forward(x), 0, 0, "loaded int8 LSTM model");
    }
}
