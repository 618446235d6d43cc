package dev.torchlet.nn.utils.prune;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.BatchNorm;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Physical channel pruning: the chains it finds, the small model's output equal (atol 1e-5, rtol
 * 1e-4: fewer terms summed in another order) to the large model with the removed channels fully
 * masked (weight rows, bias, batch-norm weight and shift), what is not equal (weight rows only, with
 * a batch-norm shift), residual blocks left consistent, and the messages.
 */
class ChannelPruningTest {
    /** conv-bn-relu, conv(bias)-relu-pool, conv-bn-relu-pool, flatten, linear-bn1d-relu-dropout, linear. */
    static Sequential net(long seed) {
        Torch.manualSeed(seed);
        Sequential s = new Sequential(
                new Conv2d(Conv2dOptions.of(3, 8, 3).withPadding(1).withBias(false)),
                new BatchNorm2d(8),
                new ReLU(),
                new Conv2d(Conv2dOptions.of(8, 8, 3).withPadding(1)),
                new ReLU(),
                new MaxPool2d(2),
                new Conv2d(Conv2dOptions.of(8, 6, 3).withPadding(1).withBias(false)),
                new BatchNorm2d(6),
                new ReLU(),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(6 * 2 * 2, 10, false),
                new BatchNorm1d(10),
                new ReLU(),
                new Dropout(0.3),
                new Linear(10, 3));
        try (var g = Torch.noGrad()) {
            for (Module m : s.modules()) {
                if (m instanceof BatchNorm bn) {
                    int c = bn.options().numFeatures();
                    bn.buffer("running_mean").copyFrom(Torch.randn(c).mul(0.3f));
                    bn.buffer("running_var").copyFrom(Torch.rand(c).add(0.5f));
                    bn.parameter("weight").copyFrom(Torch.randn(c));
                    bn.parameter("bias").copyFrom(Torch.randn(c).mul(0.5f));
                }
            }
        }
        return s;
    }

    static int count(Module m) {
        return m.parameters().stream().mapToInt(Tensor::numel).sum();
    }

    @Test
    void findsTheChains() {
        List<ChannelPruning.Chain> chains = ChannelPruning.chains(net(1));
        assertEquals(
                List.of(
                        new ChannelPruning.Chain("0", List.of("1"), "3", 1),
                        new ChannelPruning.Chain("3", List.of(), "6", 1),
                        new ChannelPruning.Chain("6", List.of("7"), "11", 4),
                        new ChannelPruning.Chain("11", List.of("12"), "15", 1)),
                chains);
    }

    /** Masks whole channels of the large model: weight rows, bias and the batch norms' weight and bias. */
    static void maskChannels(Module model, Map<String, int[]> keep, boolean alsoBiasAndBn) {
        Map<String, ChannelPruning.Chain> chains = new java.util.HashMap<>();
        ChannelPruning.chains(model).forEach(c -> chains.put(c.producer(), c));
        keep.forEach((producer, kept) -> {
            Module p = model.getSubmodule(producer);
            int channels = p.parameter("weight").shape()[0];
            Prune.customFromMask(p, "weight", channelMask(p.parameter("weight").shape(), kept));
            if (!alsoBiasAndBn) {
                return;
            }
            if (p.parameter("bias") != null) {
                Prune.customFromMask(p, "bias", channelMask(new int[] {channels}, kept));
            }
            for (String bn : chains.get(producer).batchNorms()) {
                Module b = model.getSubmodule(bn);
                Prune.customFromMask(b, "weight", channelMask(new int[] {channels}, kept));
                Prune.customFromMask(b, "bias", channelMask(new int[] {channels}, kept));
            }
        });
    }

    static Tensor channelMask(int[] shape, int[] kept) {
        int inner = 1;
        for (int i = 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] m = new float[shape[0] * inner];
        for (int k : kept) {
            java.util.Arrays.fill(m, k * inner, (k + 1) * inner, 1f);
        }
        return Torch.tensor(m, shape);
    }

    @Test
    void smallModelEqualsFullyMaskedLargeModel() {
        Sequential large = net(1);
        Sequential small = net(1);
        Map<String, int[]> keep = ChannelPruning.select(small, Amount.fraction(0.5), 1, Set.of());
        assertEquals(4, keep.size());
        assertEquals(4, keep.get("0").length);
        assertEquals(3, keep.get("6").length);
        ChannelPruning.apply(small, keep);
        maskChannels(large, keep, true);
        large.eval();
        small.eval();
        Tensor x = Torch.randn(2, 3, 8, 8);
        try (var g = Torch.noGrad()) {
            assertClose(large.call(x), small.call(x), 1e-5, 1e-4, "pruned vs masked");
        }
        assertEquals(4, ((Conv2d) small.getSubmodule("0")).options().outChannels());
        assertEquals(4, ((Conv2d) small.getSubmodule("3")).options().inChannels());
        assertEquals(3 * 4, ((Linear) small.getSubmodule("11")).inFeatures());
        assertEquals(5, ((BatchNorm1d) small.getSubmodule("12")).options().numFeatures());
        assertEquals(5, ((Linear) small.getSubmodule("15")).inFeatures());
        assertEquals(3, ((Linear) small.getSubmodule("15")).outFeatures(), "the model output is kept");
        int before = count(net(1));
        int after = count(small);
        assertTrue(after < before / 2, before + " -> " + after);
    }

    @Test
    void weightRowsAloneDoNotRemoveAChannelWhenBatchNormHasAShift() {
        Sequential large = net(1);
        Sequential small = net(1);
        Map<String, int[]> keep = ChannelPruning.prune(small, Amount.fraction(0.5), 2, Set.of("0"));
        maskChannels(large, keep, false); // conv 0's weight rows only: BN 1 still shifts those channels
        large.eval();
        small.eval();
        Tensor x = Torch.randn(2, 3, 8, 8);
        try (var g = Torch.noGrad()) {
            float[] a = large.call(x).toFloatArray();
            float[] b = small.call(x).toFloatArray();
            double maxDiff = 0;
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            }
            assertTrue(maxDiff > 1e-3, "differs by " + maxDiff);
        }
    }

    /** A residual block: body (conv-bn-relu-conv-bn) plus identity shortcut. */
    static final class Block extends Module {
        Block(int c) {
            registerModule(
                    "body",
                    new Sequential(
                            new Conv2d(Conv2dOptions.of(c, c, 3).withPadding(1).withBias(false)),
                            new BatchNorm2d(c),
                            new ReLU(),
                            new Conv2d(Conv2dOptions.of(c, c, 3).withPadding(1).withBias(false)),
                            new BatchNorm2d(c)));
            registerModule("shortcut", new Identity());
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("body").call(x).add(child("shortcut").call(x)).relu();
        }
    }

    @Test
    void residualBlocksPruneOnlyInsideTheBody() {
        Torch.manualSeed(4);
        Sequential net = new Sequential(
                new Conv2d(Conv2dOptions.of(1, 6, 3).withPadding(1)), new ReLU(), new Block(6), new Block(6));
        assertEquals(
                List.of("2.body.0", "3.body.0"),
                ChannelPruning.chains(net).stream()
                        .map(ChannelPruning.Chain::producer)
                        .toList());
        ChannelPruning.prune(net, Amount.fraction(0.5), 1, Set.of());
        assertEquals(6, ((Conv2d) net.getSubmodule("0")).options().outChannels(), "feeds a residual: kept");
        assertEquals(3, ((Conv2d) net.getSubmodule("2.body.0")).options().outChannels());
        assertEquals(6, ((Conv2d) net.getSubmodule("2.body.3")).options().outChannels());
        assertArrayEquals(
                new int[] {2, 6, 5, 5}, net.call(Torch.randn(2, 1, 5, 5)).shape());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> ChannelPruning.select(net, Amount.fraction(0.5), 1, Set.of("2.body.3")));
        assertTrue(e.getMessage().contains("'2.body.3' is a Conv2d whose output does not go"), e.getMessage());
    }

    @Test
    void unsupportedLayersAndBadInputAreNamed() {
        Sequential net = net(1);
        var e = assertThrows(
                IllegalArgumentException.class, () -> ChannelPruning.select(net, Amount.fraction(0.5), 1, Set.of("2")));
        assertTrue(
                e.getMessage()
                        .startsWith("ChannelPruning: layer '2' is a ReLU, which can not be pruned; supported: "
                                + "producers Conv2d"),
                e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> ChannelPruning.select(net, Amount.fraction(0.5), 1, Set.of("99")));
        assertThrows(IllegalArgumentException.class, () -> Amount.fraction(1.2));
        // amount 1 keeps one channel per layer instead of none
        Map<String, int[]> keep = ChannelPruning.select(net, Amount.fraction(1), 1, Set.of());
        keep.values().forEach(k -> assertEquals(1, k.length));
    }

    @Test
    void savedArchitectureReloads() {
        Sequential small = net(1);
        Map<String, int[]> keep = ChannelPruning.prune(small, Amount.fraction(0.5), 1, Set.of());
        Sequential fresh = net(2);
        ChannelPruning.shrinkTo(fresh, ChannelPruning.counts(keep));
        fresh.loadStateDict(small.stateDict());
        small.eval();
        fresh.eval();
        Tensor x = Torch.randn(1, 3, 8, 8);
        try (var g = Torch.noGrad()) {
            assertClose(small.call(x), fresh.call(x), 0, 0, "reloaded");
        }
    }
}
