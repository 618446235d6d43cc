package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.Golden;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The complete recurrent layers against torch.nn (tools/golden/gen_rnn_full.py), PyTorch's parameters
 * loaded by state-dict name: bidirectional RNN (tanh, relu), LSTM (with proj_size) and GRU, several
 * layers, initial states, unbatched input, packed variable-length batches (sorted and unsorted) and the
 * cells. Checked: outputs, final states, and the gradients of the input, the initial states and every
 * parameter of loss = sum(y * g) + sum(h_n * gh) (+ sum(c_n * gc)). Tolerance atol 1e-5, rtol 1e-4 (float32).
 */
class RecurrentFullGoldenTest {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    private static Tensor g(String key) {
        return Golden.get("rnn_full", key);
    }

    private static boolean has(String key) {
        return Golden.load("rnn_full").containsKey(key);
    }

    private static Tensor leaf(String key) {
        return has(key) ? g(key).clone().requiresGrad(true) : null;
    }

    private static Map<String, Tensor> params(String name) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        String prefix = name + ".param.";
        Golden.load("rnn_full").forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    /** sum(y * g) + sum(h * gh) (+ sum(c * gc)) backward, then every gradient against PyTorch. */
    private static void backwardAndCheck(
            String name, Module m, Tensor y, Tensor h, Tensor c, Tensor x, Tensor h0, Tensor c0) {
        Tensor loss = h.mul(g(name + ".gh")).sum();
        if (y != null) {
            loss = loss.add(y.mul(g(name + ".g")).sum());
        }
        if (c != null) {
            loss = loss.add(c.mul(g(name + ".gc")).sum());
        }
        loss.backward();
        assertClose(g(name + ".gx"), x.grad(), ATOL, RTOL, name + " input grad");
        if (h0 != null) {
            assertClose(g(name + ".gh0"), h0.grad(), ATOL, RTOL, name + " h0 grad");
        }
        if (c0 != null) {
            assertClose(g(name + ".gc0"), c0.grad(), ATOL, RTOL, name + " c0 grad");
        }
        m.namedParameters()
                .forEach((k, p) -> assertClose(g(name + ".grad." + k), p.grad(), ATOL, RTOL, name + " grad " + k));
    }

    private static void dense(String name, RecurrentLayer m) {
        m.eval();
        m.loadStateDict(params(name));
        Tensor x = leaf(name + ".x");
        Tensor h0 = leaf(name + ".h0");
        Tensor c0 = leaf(name + ".c0");
        RecurrentLayer.Output out = m.call(x, h0, c0);
        assertClose(g(name + ".y"), out.output(), ATOL, RTOL, name + " output");
        assertClose(g(name + ".h"), out.hidden(), ATOL, RTOL, name + " h_n");
        if (has(name + ".c")) {
            assertClose(g(name + ".c"), out.cell(), ATOL, RTOL, name + " c_n");
        } else {
            assertNull(out.cell());
        }
        backwardAndCheck(name, m, out.output(), out.hidden(), out.cell(), x, h0, c0);
    }

    private static void packed(String name, RecurrentLayer m, boolean enforceSorted) {
        m.eval();
        m.loadStateDict(params(name));
        boolean batchFirst = m.options().batchFirst();
        Tensor x = leaf(name + ".x");
        Tensor h0 = leaf(name + ".h0");
        Tensor c0 = leaf(name + ".c0");
        PackedSequence p = F.packPaddedSequence(x, g(name + ".lengths"), batchFirst, enforceSorted);
        assertClose(g(name + ".packed_data"), p.data(), 0, 0, name + " packed data");
        assertArrayEquals(g(name + ".batch_sizes").toLongArray(), p.batchSizes().toLongArray(), name + " sizes");
        if (has(name + ".sorted_indices")) {
            assertArrayEquals(
                    g(name + ".sorted_indices").toLongArray(), p.sortedIndices().toLongArray());
            assertArrayEquals(
                    g(name + ".unsorted_indices").toLongArray(),
                    p.unsortedIndices().toLongArray());
        } else {
            assertNull(p.sortedIndices());
        }
        RecurrentLayer.PackedOutput out = m.call(p, h0, c0);
        assertClose(g(name + ".y_data"), out.sequence().data(), ATOL, RTOL, name + " packed output");
        PackedSequence.Padded padded = F.padPackedSequence(out.sequence(), batchFirst);
        assertArrayEquals(g(name + ".lengths").toLongArray(), padded.lengths().toLongArray(), name + " lengths");
        assertClose(g(name + ".y"), padded.padded(), ATOL, RTOL, name + " padded output");
        assertClose(g(name + ".h"), out.hidden(), ATOL, RTOL, name + " h_n");
        if (has(name + ".c")) {
            assertClose(g(name + ".c"), out.cell(), ATOL, RTOL, name + " c_n");
        }
        backwardAndCheck(name, m, padded.padded(), out.hidden(), out.cell(), x, h0, c0);
    }

    private static RecurrentOptions opts(int hidden, int layers, boolean batchFirst) {
        return RecurrentOptions.of(4, hidden).withNumLayers(layers).withBatchFirst(batchFirst);
    }

    @Test
    void bidirectionalLstm() {
        dense("lstm_bi", new LSTM(opts(6, 2, true).withBidirectional(true)));
        dense("lstm_bi_zero", new LSTM(opts(5, 1, false).withBidirectional(true)));
    }

    @Test
    void bidirectionalGru() {
        dense("gru_bi", new GRU(opts(5, 2, false).withBidirectional(true)));
    }

    @Test
    void bidirectionalRnnTanhAndRelu() {
        dense("rnn_bi_relu", new RNN(opts(5, 1, true).withBidirectional(true).withNonlinearity("relu")));
        dense("rnn_bi_tanh", new RNN(opts(5, 2, true).withBidirectional(true).withBias(false)));
    }

    @Test
    void lstmWithProjection() {
        dense("lstm_proj", new LSTM(opts(6, 2, true).withProjSize(3)));
        dense("lstm_proj_bi", new LSTM(opts(6, 2, false).withProjSize(4).withBidirectional(true)));
    }

    @Test
    void unbatchedInput() {
        dense("lstm_unbatched", new LSTM(opts(5, 2, false).withBidirectional(true)));
        dense("gru_unbatched", new GRU(opts(5, 1, true)));
    }

    @Test
    void packedUnsortedBidirectionalLstm() {
        packed("lstm_packed", new LSTM(opts(5, 2, true).withBidirectional(true)), false);
    }

    @Test
    void packedSortedGru() {
        packed("gru_packed", new GRU(opts(5, 2, false)), true);
        packed("gru_packed_full", new GRU(opts(4, 1, true).withBidirectional(true)), true);
    }

    @Test
    void packedBidirectionalRnn() {
        packed("rnn_packed", new RNN(opts(5, 1, false).withBidirectional(true).withNonlinearity("relu")), false);
    }

    @Test
    void packedLstmWithProjection() {
        packed("lstm_proj_packed", new LSTM(opts(6, 1, true).withProjSize(3).withBidirectional(true)), false);
    }

    private static void cell(String name, RNNCellBase cell) {
        cell.loadStateDict(params(name));
        Tensor x = leaf(name + ".x");
        Tensor h0 = leaf(name + ".h0");
        Tensor c0 = leaf(name + ".c0");
        Tensor h;
        Tensor c = null;
        if (cell instanceof LSTMCell lstm) {
            LSTMCell.State s = lstm.call(x, h0, c0);
            h = s.h();
            c = s.c();
            assertClose(g(name + ".c"), c, ATOL, RTOL, name + " c'");
        } else if (cell instanceof GRUCell gru) {
            h = gru.call(x, h0);
        } else {
            h = ((RNNCell) cell).call(x, h0);
        }
        assertClose(g(name + ".h"), h, ATOL, RTOL, name + " h'");
        backwardAndCheck(name, cell, null, h, c, x, h0, c0);
    }

    @Test
    void cells() {
        cell("rnn_cell", new RNNCell(4, 5));
        cell(
                "rnn_cell_relu",
                new RNNCell(RecurrentCellOptions.of(4, 5).withBias(false).withNonlinearity("relu")));
        cell("gru_cell", new GRUCell(4, 5));
        cell("gru_cell_unbatched", new GRUCell(4, 5));
        cell("lstm_cell", new LSTMCell(4, 5));
        cell("lstm_cell_unbatched", new LSTMCell(RecurrentCellOptions.of(4, 5).withBias(false)));
    }

    @Test
    void parameterNamesAndShapesArePyTorchs() {
        LSTM m = new LSTM(opts(6, 2, true).withProjSize(4).withBidirectional(true));
        Map<String, int[]> expected = new LinkedHashMap<>();
        params("lstm_proj_bi").forEach((k, v) -> expected.put(k, v.shape()));
        assertArrayEquals(expected.keySet().toArray(), m.stateDict().keySet().toArray());
        m.stateDict().forEach((k, v) -> assertArrayEquals(expected.get(k), v.shape(), k));
    }
}
