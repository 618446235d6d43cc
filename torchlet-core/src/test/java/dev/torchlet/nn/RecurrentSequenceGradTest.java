package dev.torchlet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import dev.torchlet.ops.Recurrent;
import dev.torchlet.testing.GradCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Float64 finite-difference gradchecks of the recurrent composites in F: one direction forward and
 * time-reversed, full length and variable length (the segmented fused op), the LSTM projection path,
 * the cells and pack/pad; plus dropout between layers, and the bad-input messages of the layers, cells
 * and packing.
 */
class RecurrentSequenceGradTest {
    private static Tensor leaf(float scale, int... shape) {
        return Torch.randn(shape).mul(scale).to(DType.FLOAT64).requiresGrad(true);
    }

    private static Tensor flat(Recurrent.Result r) {
        List<Tensor> parts = new ArrayList<>(List.of(r.output().reshape(-1), r.hn().reshape(-1)));
        if (r.cn() != null) {
            parts.add(r.cn().reshape(-1));
        }
        return Torch.cat(parts, 0);
    }

    private static void direction(F.RecurrentCell cell, boolean reverse, int[] lengths) {
        Torch.manualSeed(11);
        int b = 3;
        int t = 4;
        int in = 2;
        int h = 2;
        int g = cell.gates();
        boolean lstm = cell == F.RecurrentCell.LSTM;
        String what = cell + (reverse ? " reverse" : "") + (lengths == null ? "" : " lengths");
        GradCheck.check(
                what,
                xs -> flat(F.recurrentDirection(
                        what,
                        cell,
                        xs[0],
                        lengths,
                        reverse,
                        xs[1],
                        lstm ? xs[2] : null,
                        xs[3],
                        xs[4],
                        xs[5],
                        xs[6],
                        null)),
                leaf(1, b, t, in),
                leaf(0.5f, b, h),
                lstm ? leaf(0.5f, b, h) : leaf(0.5f, b, h).detach(),
                leaf(0.6f, g * h, in),
                leaf(0.6f, g * h, h),
                leaf(0.3f, g * h),
                leaf(0.3f, g * h));
    }

    @Test
    void everyCellForwardAndReversedFullAndVariableLength() {
        for (F.RecurrentCell cell : F.RecurrentCell.values()) {
            direction(cell, false, null);
            direction(cell, true, null);
            direction(cell, false, new int[] {4, 2, 1});
            direction(cell, true, new int[] {3, 3, 2});
        }
    }

    @Test
    void lstmWithProjection() {
        Torch.manualSeed(12);
        int hs = 3;
        int p = 2;
        for (boolean reverse : new boolean[] {false, true}) {
            int[] lengths = reverse ? new int[] {4, 2} : null;
            GradCheck.check(
                    "lstm proj",
                    xs -> flat(F.recurrentDirection(
                            "LSTM",
                            F.RecurrentCell.LSTM,
                            xs[0],
                            lengths,
                            reverse,
                            xs[1],
                            xs[2],
                            xs[3],
                            xs[4],
                            xs[5],
                            xs[6],
                            xs[7])),
                    leaf(1, 2, 4, 2),
                    leaf(0.5f, 2, p),
                    leaf(0.5f, 2, hs),
                    leaf(0.6f, 4 * hs, 2),
                    leaf(0.6f, 4 * hs, p),
                    leaf(0.3f, 4 * hs),
                    leaf(0.3f, 4 * hs),
                    leaf(0.6f, p, hs));
        }
    }

    @Test
    void cells() {
        Torch.manualSeed(13);
        GradCheck.check(
                "LSTMCell",
                xs -> flat(F.lstmCell(xs[0], xs[1], xs[2], xs[3], xs[4], xs[5], xs[6])),
                leaf(1, 2, 3),
                leaf(0.5f, 2, 2),
                leaf(0.5f, 2, 2),
                leaf(0.6f, 8, 3),
                leaf(0.6f, 8, 2),
                leaf(0.3f, 8),
                leaf(0.3f, 8));
        GradCheck.check(
                "GRUCell",
                xs -> F.gruCell(xs[0], xs[1], xs[2], xs[3], xs[4], xs[5]),
                leaf(1, 3),
                leaf(0.5f, 2),
                leaf(0.6f, 6, 3),
                leaf(0.6f, 6, 2),
                leaf(0.3f, 6),
                leaf(0.3f, 6));
        GradCheck.check(
                "RNNCell",
                xs -> F.rnnCell(xs[0], xs[1], xs[2], xs[3], null, null, false),
                leaf(1, 2, 3),
                leaf(0.5f, 2, 2),
                leaf(0.6f, 2, 3),
                leaf(0.6f, 2, 2));
    }

    @Test
    void packThenPadIsTheIdentityOnValidStepsWithItsGradient() {
        Torch.manualSeed(14);
        int[] lengths = {2, 4, 1};
        GradCheck.check(
                "pack/pad",
                xs -> {
                    PackedSequence p = F.packPaddedSequence(xs[0], lengths, false, false);
                    return F.padPackedSequence(p, true, -1, 5).padded();
                },
                leaf(1, 4, 3, 2));
        Tensor x = Torch.randn(4, 3, 2);
        PackedSequence p = F.packPaddedSequence(x, lengths, false, false);
        assertEquals(7, p.data().size(0));
        Tensor back = F.padPackedSequence(p, false).padded(); // (4, 3, 2), zeros past each length
        for (int b = 0; b < 3; b++) {
            for (int s = 0; s < 4; s++) {
                for (int f = 0; f < 2; f++) {
                    float want = s < lengths[b] ? (float) x.getDouble(s, b, f) : 0f;
                    assertEquals(want, (float) back.getDouble(s, b, f), 0f);
                }
            }
        }
    }

    @Test
    void dropoutBetweenLayersOnlyInTraining() {
        Torch.manualSeed(15);
        LSTM m = new LSTM(
                RecurrentOptions.of(3, 8).withNumLayers(2).withDropout(0.5).withBidirectional(true));
        Tensor x = Torch.randn(5, 2, 3);
        m.eval();
        Tensor a = m.call(x);
        Tensor b = m.call(x);
        assertEquals(0, a.sub(b).abs().max().item(), 0.0);
        m.train();
        Tensor c = m.call(x);
        assertTrue(a.sub(c).abs().max().item() > 1e-4, "training dropout changes the second layer's input");
    }

    private static void assertMessage(Runnable r, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    @Test
    void badInputsSayWhatWasExpected() {
        LSTM lstm = new LSTM(RecurrentOptions.of(4, 6).withNumLayers(2).withBidirectional(true));
        assertMessage(() -> lstm.call(Torch.randn(5, 3, 5), null, null), "LSTM", "(T, B, 4)", "[5, 3, 5]");
        assertMessage(
                () -> lstm.call(Torch.randn(5, 3, 4), Torch.zeros(2, 3, 6), null),
                "LSTM",
                "h0",
                "(4, 3, 6)",
                "[2, 3, 6]");
        assertMessage(
                () -> lstm.call(Torch.randn(5, 3, 4), null, Torch.zeros(4, 2, 6)),
                "LSTM",
                "c0",
                "(4, 3, 6)",
                "[4, 2, 6]");
        assertMessage(() -> lstm.call(Torch.randn(5, 4), Torch.zeros(4, 3, 6), null), "LSTM", "h0", "(4, 6)");
        assertMessage(
                () -> F.packPaddedSequence(Torch.randn(5, 3, 4), new int[] {5, 2}, false, true),
                "packPaddedSequence",
                "3 lengths",
                "[5, 3, 4]",
                "got 2");
        assertMessage(
                () -> F.packPaddedSequence(Torch.randn(5, 3, 4), new int[] {2, 5, 3}, false, true),
                "packPaddedSequence",
                "decreasing",
                "[2, 5, 3]",
                "enforceSorted");
        assertMessage(
                () -> F.packPaddedSequence(Torch.randn(5, 3, 4), new int[] {6, 5, 0}, false, false),
                "packPaddedSequence",
                "[1, 5]");
        PackedSequence p = F.packPaddedSequence(Torch.randn(5, 3, 3), new int[] {5, 2, 1}, false, true);
        assertMessage(() -> lstm.call(p, null, null), "LSTM", "packed data", "(N, 4)", "[8, 3]");
        PackedSequence p4 = F.packPaddedSequence(Torch.randn(5, 3, 4), new int[] {5, 2, 1}, false, true);
        assertMessage(() -> lstm.call(p4, Torch.zeros(4, 2, 6), null), "LSTM", "h0", "(4, 3, 6)");
        assertMessage(() -> new GRU(RecurrentOptions.of(4, 6).withProjSize(2)), "GRU", "projSize");
        assertMessage(() -> RecurrentOptions.of(4, 6).withProjSize(6), "projSize", "[1, hiddenSize = 6)");
        assertMessage(() -> new LSTMCell(4, 5).call(Torch.randn(2, 3), null, null), "LSTMCell", "(B, 4)", "[2, 3]");
        assertMessage(
                () -> new GRUCell(4, 5).call(Torch.randn(2, 4), Torch.zeros(3, 5)), "GRUCell", "h", "(2, 5)", "[3, 5]");
        assertMessage(() -> new GRUCell(RecurrentCellOptions.of(4, 5).withNonlinearity("relu")), "GRUCell");
    }
}
