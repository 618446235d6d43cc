package dev.torchlet.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Module paths, replacement, freezing and multi-input hooks, PyTorch's way. */
class ModuleSurgeryTest {
    /** conv-bn-relu stem + two "layers" of blocks + head, named like a torchvision ResNet. */
    static Sequential smallNet() {
        Torch.manualSeed(1);
        Sequential net = new Sequential();
        net.add(new Sequential(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU()));
        net.add(new Sequential(new Conv2d(4, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU()));
        net.add(new Sequential(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(4, 3)));
        return net;
    }

    @Test
    void getSubmoduleWalksDottedPaths() {
        Sequential net = smallNet();
        assertSame(net, net.getSubmodule(""));
        assertTrue(net.getSubmodule("2.2") instanceof Linear);
        assertSame(((Sequential) net.get(1)).get(1), net.getSubmodule("1.1"));
        var e = assertThrows(IllegalArgumentException.class, () -> net.getSubmodule("1.7.weight"));
        assertTrue(e.getMessage().contains("'1' (Sequential) has no child module named '7'"), e.getMessage());
        assertTrue(e.getMessage().contains("children: [0, 1, 2]"), e.getMessage());
        assertSame(net.getSubmodule("2.2").parameter("bias"), net.getParameter("2.2.bias"));
    }

    @Test
    void replaceModuleByDottedPathTakesEffectAndKeepsStateDictOrder() {
        Sequential net = smallNet();
        List<String> before = new ArrayList<>(net.stateDict().keySet());
        net.replaceModule("2.2", new Linear(4, 7));
        assertArrayEquals(new int[] {2, 7}, net.call(Torch.rand(2, 1, 6, 6)).shape());
        assertEquals(before, new ArrayList<>(net.stateDict().keySet()));
        assertThrows(IllegalArgumentException.class, () -> net.replaceModule("2.9", new Identity()));
        assertThrows(IllegalArgumentException.class, () -> net.replaceModule("5.0", new Identity()));
    }

    @Test
    void replacingInsideLibraryLayersTakesEffect() {
        Torch.manualSeed(2);
        TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16);
        layer.eval();
        Tensor x = Torch.rand(3, 2, 8);
        layer.replaceModule("linear2", new Linear(16, 8, false) {
            @Override
            public Tensor forward(Tensor h) {
                return Torch.zeros(h.size(0), 8); // the feed-forward block now adds nothing
            }
        });
        Tensor attnOnly = layer.call(x);
        // post-norm: norm2(x1 + 0) with x1 = norm1(x + attn(x)); a layer norm of a layer norm is itself
        Module norm1 = layer.getSubmodule("norm1");
        Tensor x1 = norm1.call(x.add(layer.getSubmodule("self_attn").call(x)));
        assertArrayEquals(layer.getSubmodule("norm2").call(x1).toFloatArray(), attnOnly.toFloatArray(), 1e-5f);
        layer.replaceModule("self_attn.out_proj", new Identity());
        assertEquals(
                List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias"),
                layer.stateDict().keySet().stream()
                        .filter(k -> k.startsWith("self_attn"))
                        .toList());
        var e = assertThrows(IllegalArgumentException.class, () -> layer.replaceModule("self_attn", new Linear(8, 8)));
        assertTrue(e.getMessage().contains("'self_attn' must be a MultiheadAttention"), e.getMessage());
    }

    @Test
    void setParameterKeepsItsPlaceInTheStateDict() {
        Linear l = new Linear(3, 2) {
            {
                setParameter("weight", Torch.ones(2, 3));
            }
        };
        assertEquals(List.of("weight", "bias"), new ArrayList<>(l.stateDict().keySet()));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, l.weight().toFloatArray(), 0f);
        assertTrue(l.weight().requiresGrad());
    }

    @Test
    void sharedModulesAppearOnceInNamedModulesAndUnderBothNamesInTheStateDict() {
        Linear shared = new Linear(2, 2);
        Sequential net = new Sequential(shared, new ReLU(), shared);
        assertEquals(List.of("", "0", "1"), new ArrayList<>(net.namedModules().keySet()));
        assertEquals(
                List.of("0.weight", "0.bias"),
                new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(
                List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                new ArrayList<>(net.stateDict().keySet()));
    }

    @Test
    void applyVisitsChildrenBeforeParents() {
        Sequential net = smallNet();
        List<String> order = new ArrayList<>();
        net.apply(m -> order.add(m.getClass().getSimpleName()));
        assertEquals("Conv2d", order.get(0));
        assertEquals("Sequential", order.get(order.size() - 1));
        assertEquals(net.namedModules().size(), order.size());
    }

    @Test
    void freezeByNameAndGlobStopsGradientsAndKeepsBatchNormInEval() {
        Sequential net = smallNet();
        net.freeze("0", "1.*");
        for (var e : net.namedParameters().entrySet()) {
            assertEquals(e.getKey().startsWith("2."), e.getValue().requiresGrad(), e.getKey());
        }
        BatchNorm2d bn = (BatchNorm2d) net.getSubmodule("1.1");
        float[] mean = bn.buffer("running_mean").toFloatArray();
        net.train();
        assertFalse(bn.isTraining());
        assertTrue(bn.isFrozen());
        assertTrue(net.getSubmodule("2").isTraining());
        net.call(Torch.rand(4, 1, 6, 6)).sum().backward();
        assertArrayEquals(mean, bn.buffer("running_mean").toFloatArray(), 0f);
        assertNull(net.getParameter("0.0.weight").grad());
        assertNotNull(net.getParameter("2.2.weight").grad());

        net.unfreeze("1.*");
        assertTrue(bn.isTraining());
        assertTrue(net.getParameter("1.0.weight").requiresGrad());
        assertFalse(net.getParameter("0.0.weight").requiresGrad());
        net.unfreeze();
        net.freeze("2.2.bias");
        assertFalse(net.getParameter("2.2.bias").requiresGrad());
        assertTrue(net.getParameter("2.2.weight").requiresGrad());
        net.freeze();
        assertTrue(net.parameters().stream().noneMatch(Tensor::requiresGrad));
    }

    @Test
    void freezeRejectsAPatternThatMatchesNothingAndChangesNothing() {
        Sequential net = smallNet();
        var e = assertThrows(IllegalArgumentException.class, () -> net.freeze("0", "layer9.*"));
        assertTrue(e.getMessage().contains("'layer9.*'"), e.getMessage());
        assertTrue(net.parameters().stream().allMatch(Tensor::requiresGrad));
    }

    @Test
    void multiInputHooksSeeEveryInputAndTheWholeOutput() {
        Torch.manualSeed(3);
        MultiheadAttention mha = new MultiheadAttention(8, 2);
        List<Object> seen = new ArrayList<>();
        mha.registerForwardCallHook((m, inputs, output) -> {
            seen.addAll(inputs);
            seen.add(output);
            return null;
        });
        Tensor q = Torch.rand(3, 1, 8);
        Tensor mask = MultiheadAttention.causalMask(3);
        MultiheadAttention.Output out = mha.call(q, q, q, mask, null);
        assertEquals(7, seen.size());
        assertSame(q, seen.get(0));
        assertSame(mask, seen.get(3));
        assertEquals(Boolean.TRUE, seen.get(5));
        assertSame(out, seen.get(6));
        assertNotNull(out.weights());

        // a tensor hook replaces the main output and keeps the weights
        mha.registerForwardHook((m, in, o) -> o.mul(0f));
        MultiheadAttention.Output zeroed = mha.call(q, q, q, mask, null);
        assertArrayEquals(new float[24], zeroed.output().toFloatArray(), 0f);
        assertArrayEquals(out.weights().toFloatArray(), zeroed.weights().toFloatArray(), 1e-6f);
    }

    @Test
    void preHookReplacesTheFirstInputOfAMultiInputCall() {
        LSTM lstm = new LSTM(2, 3, 1, true);
        lstm.registerForwardPreHook((m, x) -> x.mul(0f));
        Tensor h0 = Torch.rand(1, 1, 3);
        RecurrentLayer.Output withHook = lstm.call(Torch.rand(1, 4, 2), h0, null);
        RecurrentLayer.Output plain = lstm.forward(Torch.zeros(1, 4, 2), h0, null);
        assertArrayEquals(plain.output().toFloatArray(), withHook.output().toFloatArray(), 0f);
    }

    @Test
    void aHookReturningTheWrongTypeIsNamed() {
        GRU gru = new GRU(2, 3, 1, true);
        gru.registerForwardCallHook((m, in, out) -> Torch.zeros(1));
        var e = assertThrows(IllegalStateException.class, () -> gru.call(Torch.rand(1, 2, 2), null, null));
        assertTrue(
                e.getMessage().contains("GRU: a forward hook returned a Tensor in place of the module's Output"),
                e.getMessage());
    }

    @Test
    void lossesAreModulesThatHooksSee() {
        CrossEntropyLoss ce = new CrossEntropyLoss();
        Sequential holder = new Sequential(ce);
        List<Float> seen = new ArrayList<>();
        holder.getSubmodule("0").registerForwardHook((m, in, out) -> {
            seen.add(out.item());
            return null;
        });
        Tensor loss = ce.call(Torch.randn(4, 3), Torch.tensor(new long[] {0, 1, 2, 1}, 4));
        assertEquals(List.of(loss.item()), seen);
        var e = assertThrows(UnsupportedOperationException.class, () -> holder.call(Torch.randn(4, 3)));
        assertTrue(e.getMessage().contains("CrossEntropyLoss takes (input, target)"), e.getMessage());
        assertEquals("Sequential(\n  (0): CrossEntropyLoss()\n)", holder.toString());
    }
}
