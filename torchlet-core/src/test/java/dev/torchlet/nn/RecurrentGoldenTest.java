package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;

import dev.torchlet.Tensor;
import dev.torchlet.testing.Golden;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RNN, LSTM, GRU and MultiheadAttention against torch.nn (tools/golden/gen_rnn.py) with PyTorch's
 * parameters loaded by state-dict name: outputs, final states, input and parameter gradients.
 * Tolerance atol 1e-5, rtol 1e-4 (float32; sequences of 5 steps).
 */
class RecurrentGoldenTest {
    private static Tensor g(String key) {
        return Golden.get("rnn", key);
    }

    private static Map<String, Tensor> params(String name) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        String prefix = name + ".param.";
        Golden.load("rnn").forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    private static void check(String name, RecurrentLayer m, boolean withH0, boolean lstm) {
        m.loadStateDict(params(name));
        Tensor x = g(name + ".x").clone().requiresGrad(true);
        Tensor h0 = withH0 ? g(name + ".h0") : null;
        Tensor c0 = withH0 && lstm ? g(name + ".c0") : null;
        RecurrentLayer.Output out = m.forward(x, h0, c0);
        assertClose(g(name + ".y"), out.output(), 1e-5, 1e-4, name + " output");
        assertClose(g(name + ".h"), out.hidden(), 1e-5, 1e-4, name + " h_n");
        if (lstm) {
            assertClose(g(name + ".c"), out.cell(), 1e-5, 1e-4, name + " c_n");
        }
        out.output().backward(g(name + ".g"));
        assertClose(g(name + ".gx"), x.grad(), 1e-5, 1e-4, name + " input grad");
        m.namedParameters()
                .forEach((k, p) -> assertClose(g(name + ".grad." + k), p.grad(), 1e-5, 1e-4, name + " grad " + k));
    }

    @Test
    void lstm() {
        check("lstm", new LSTM(4, 6, 2, true), false, true);
        check("lstm_h0", new LSTM(4, 6, 1, false), true, true);
    }

    @Test
    void gru() {
        check("gru", new GRU(4, 6, 2, true), true, false);
    }

    @Test
    void rnn() {
        check("rnn", new RNN(4, 6, 1, true), false, false);
        check("rnn_relu", new RNN(4, 6, 2, false, "relu", 0.0, false), true, false);
    }

    @Test
    void multiheadAttentionWithCausalAndPaddingMasks() {
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, true);
        mha.loadStateDict(params("mha"));
        Tensor x = g("mha.x").clone().requiresGrad(true);
        MultiheadAttention.Output out = mha.forward(x, x, x, g("mha.mask"), g("mha.pad"));
        assertClose(g("mha.y"), out.output(), 1e-5, 1e-4, "mha output");
        assertClose(g("mha.w"), out.weights(), 1e-5, 1e-4, "mha weights");
        out.output().backward(g("mha.g"));
        assertClose(g("mha.gx"), x.grad(), 1e-5, 1e-4, "mha input grad");
        mha.namedParameters().forEach((k, p) -> assertClose(g("mha.grad." + k), p.grad(), 1e-5, 1e-4, "mha grad " + k));
        assertClose(g("mha.mask"), MultiheadAttention.causalMask(5), 0, 0, "causal mask");
    }
}
