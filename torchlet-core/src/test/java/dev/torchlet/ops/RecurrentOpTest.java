package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.GradCheck;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fused whole-sequence recurrent op: float64 gradcheck of every input (x projection, h0, c0,
 * W_hh, both biases) for each cell kind, with the output, h_n and c_n all feeding the loss, a
 * non-contiguous (transposed) input projection, and bad-input messages. (Its float32 results
 * against PyTorch are checked by RecurrentGoldenTest through the layers.)
 */
class RecurrentOpTest {
    private static Tensor leaf(Tensor t) {
        return t.to(DType.FLOAT64).requiresGrad(true);
    }

    private static void gradcheck(int mode, String name) {
        Torch.manualSeed(7);
        int b = 2;
        int t = 3;
        int h = 3;
        int g = mode == Recurrent.LSTM ? 4 : mode == Recurrent.GRU ? 3 : 1;
        Tensor xpT = leaf(Torch.randn(t, b, g * h)); // transposed below: a non-contiguous view
        Tensor h0 = leaf(Torch.randn(b, h).mul(0.5f));
        Tensor c0 = leaf(Torch.randn(b, h).mul(0.5f));
        Tensor whh = leaf(Torch.randn(g * h, h).mul(0.5f));
        Tensor bih = leaf(Torch.randn(g * h).mul(0.3f));
        Tensor bhh = leaf(Torch.randn(g * h).mul(0.3f));
        boolean lstm = mode == Recurrent.LSTM;
        GradCheck.check(
                name,
                xs -> {
                    Recurrent.Result r = Recurrent.sequence(
                            name, mode, xs[0].transpose(0, 1), xs[1], lstm ? xs[2] : null, xs[3], xs[4], xs[5]);
                    Tensor flat = Torch.cat(List.of(r.output().reshape(-1), r.hn().reshape(-1)), 0);
                    return lstm ? Torch.cat(List.of(flat, r.cn().reshape(-1)), 0) : flat;
                },
                xpT,
                h0,
                lstm ? c0 : c0.detach(),
                whh,
                bih,
                bhh);
    }

    @Test
    void lstmGradcheck() {
        gradcheck(Recurrent.LSTM, "lstm");
    }

    @Test
    void gruGradcheck() {
        gradcheck(Recurrent.GRU, "gru");
    }

    @Test
    void rnnGradcheck() {
        gradcheck(Recurrent.RNN_TANH, "rnn_tanh");
        gradcheck(Recurrent.RNN_RELU, "rnn_relu");
    }

    @Test
    void withoutBiasesTheGradientsOfTheRestStillFlow() {
        Torch.manualSeed(8);
        Tensor xp = leaf(Torch.randn(2, 4, 8));
        Tensor whh = leaf(Torch.randn(8, 2));
        GradCheck.check(
                "lstm no bias",
                xs -> Recurrent.sequence(
                                "LSTM",
                                Recurrent.LSTM,
                                xs[0],
                                Torch.zeros(2, 2).to(DType.FLOAT64),
                                Torch.zeros(2, 2).to(DType.FLOAT64),
                                xs[1],
                                null,
                                null)
                        .output(),
                xp,
                whh);
    }

    @Test
    void badInputsNameTheOpAndShapes() {
        Tensor xp = Torch.randn(2, 3, 8);
        Tensor whh = Torch.randn(8, 2);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Recurrent.sequence(
                        "LSTM", Recurrent.LSTM, xp, Torch.zeros(3, 2), Torch.zeros(2, 2), whh, null, null));
        assertTrue(
                e.getMessage().contains("LSTM")
                        && e.getMessage().contains("h0")
                        && e.getMessage().contains("[3, 2]"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Recurrent.sequence("GRU", Recurrent.GRU, xp, Torch.zeros(2, 2), null, whh, null, null));
        assertTrue(e.getMessage().contains("GRU") && e.getMessage().contains("[2, 3, 8]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Recurrent.sequence(
                        "LSTM", Recurrent.LSTM, xp, Torch.zeros(2, 2), Torch.zeros(2, 2), whh, Torch.zeros(7), null));
        assertTrue(e.getMessage().contains("b_ih") && e.getMessage().contains("[7]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Recurrent.sequence(
                        "LSTM",
                        Recurrent.LSTM,
                        Torch.randn(2, 0, 8),
                        Torch.zeros(2, 2),
                        Torch.zeros(2, 2),
                        whh,
                        null,
                        null));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
