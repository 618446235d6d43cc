package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Batch-norm folding against PyTorch's {@code fuse_conv_bn_eval} (tools/golden/gen_fusion.py): fused
 * weights and bias within atol 1e-6 / rtol 1e-5 (both computed in float32, rsqrt may differ in the last
 * bit), the fused conv's output against eval-mode {@code bn(conv(x))} within atol 1e-5 / rtol 1e-4. Then
 * {@link Fusion#fuseConvBn} on whole models: which pairs it finds, the unchanged output, and the refusals.
 */
class FusionTest {
    private static Map<String, Tensor> withPrefix(String prefix) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        Golden.load("fusion").forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                sd.put(k.substring(prefix.length()), v);
            }
        });
        return sd;
    }

    private static void checkGolden(String name, Conv2dOptions conv, BatchNormOptions bn) {
        Conv2d c = new Conv2d(conv);
        BatchNorm2d b = new BatchNorm2d(bn);
        c.loadStateDict(withPrefix(name + ".conv."));
        b.loadStateDict(withPrefix(name + ".bn."));
        c.eval();
        b.eval();
        Conv2d fused = Fusion.fuseConvBnEval(c, b);
        assertClose(Golden.get("fusion", name + ".fused.weight"), fused.weight(), 1e-6, 1e-5, name + " weight");
        assertClose(Golden.get("fusion", name + ".fused.bias"), fused.bias(), 1e-6, 1e-5, name + " bias");
        try (var g = Torch.noGrad()) {
            Tensor y = fused.call(Golden.get("fusion", name + ".x"));
            assertClose(Golden.get("fusion", name + ".y"), y, 1e-5, 1e-4, name + " output");
        }
    }

    @Test
    void foldedWeightsMatchPyTorch() {
        checkGolden("plain", Conv2dOptions.of(3, 8, 3).withPadding(1).withBias(false), BatchNormOptions.of(8));
        checkGolden(
                "bias_stride",
                Conv2dOptions.of(4, 6, 3).withStride(2).withPadding(1),
                BatchNormOptions.of(6).withEps(1e-3));
        checkGolden(
                "grouped",
                Conv2dOptions.of(6, 6, 3).withPadding(1).withGroups(3).withBias(false),
                BatchNormOptions.of(6));
        checkGolden(
                "no_affine", Conv2dOptions.of(3, 5, 1), BatchNormOptions.of(5).withAffine(false));
    }

    /** conv -> bn -> relu twice, then a head; the running statistics made non-trivial. */
    private static Sequential convNet() {
        Torch.manualSeed(3);
        Sequential net = new Sequential(
                new Conv2d(Conv2dOptions.of(3, 8, 3).withPadding(1).withBias(false)),
                new BatchNorm2d(8),
                new ReLU(),
                new Conv2d(Conv2dOptions.of(8, 4, 3).withStride(2)),
                new BatchNorm2d(4),
                new ReLU(),
                new Flatten(),
                new Linear(4 * 3 * 3, 2));
        for (String bn : new String[] {"1", "4"}) {
            BatchNorm2d b = (BatchNorm2d) net.getSubmodule(bn);
            int c = b.options().numFeatures();
            try (var g = Torch.noGrad()) {
                b.buffer("running_mean").copyFrom(Torch.randn(c).mul(0.3f));
                b.buffer("running_var").copyFrom(Torch.rand(c).add(0.5f));
                b.weight().copyFrom(Torch.randn(c));
                b.bias().copyFrom(Torch.randn(c));
            }
        }
        return net;
    }

    @Test
    void fuseConvBnFindsEveryPairAndKeepsTheOutput() {
        Sequential net = convNet();
        net.eval();
        Tensor x = Torch.randn(2, 3, 8, 8);
        Tensor before = noGradCall(net, x);
        Map<String, String> pairs = Fusion.fuseConvBn(net, x);
        assertEquals(Map.of("0", "1", "3", "4"), pairs);
        assertInstanceOf(Identity.class, net.getSubmodule("1"));
        assertInstanceOf(Identity.class, net.getSubmodule("4"));
        assertTrue(net.stateDict().keySet().stream().noneMatch(k -> k.startsWith("1.") || k.startsWith("4.")));
        assertClose(before, noGradCall(net, x), 1e-5, 1e-4, "fused model output");
    }

    @Test
    void fuseForInferenceAlsoFusesTheActivations() {
        Sequential net = convNet();
        net.eval();
        Tensor x = Torch.randn(2, 3, 8, 8);
        Tensor before = noGradCall(net, x);
        Map<String, List<String>> fused = Fusion.fuseForInference(net, x);
        assertEquals(Map.of("0", List.of("1", "2"), "3", List.of("4", "5")), fused);
        for (String conv : new String[] {"0", "3"}) {
            ConvActivation2d c = assertInstanceOf(ConvActivation2d.class, net.getSubmodule(conv));
            assertEquals(Float.POSITIVE_INFINITY, c.hi());
        }
        for (String gone : new String[] {"1", "2", "4", "5"}) {
            assertInstanceOf(Identity.class, net.getSubmodule(gone));
        }
        assertClose(before, noGradCall(net, x), 1e-5, 1e-4, "fused model output");
    }

    /** conv -> relu6 without batch norm, then a conv -> bn whose ReLU module is called twice (as in ResNet). */
    private static final class SharedActivation extends Module {
        SharedActivation() {
            registerModule("conv1", new Conv2d(Conv2dOptions.of(2, 4, 3).withPadding(1)));
            registerModule("act1", new ReLU6());
            registerModule(
                    "conv2", new Conv2d(Conv2dOptions.of(4, 4, 3).withPadding(1).withBias(false)));
            registerModule("bn2", new BatchNorm2d(4));
            registerModule("relu", new ReLU());
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = child("act1").call(child("conv1").call(x).mul(4f)); // scaled past 6: the clamp's top matters
            Tensor y = child("relu").call(child("bn2").call(child("conv2").call(h)));
            return child("relu").call(y.sub(0.5f));
        }
    }

    @Test
    void aSharedActivationIsFusedButStaysInPlaceAndReLU6ClampsAtSix() {
        Torch.manualSeed(5);
        SharedActivation m = new SharedActivation();
        m.eval();
        Tensor x = Torch.randn(1, 2, 6, 6);
        Tensor before = noGradCall(m, x);
        // conv1's output is scaled before act1, so conv1 -> act1 is not a chain; conv2 -> bn2 -> relu is, and the
        // shared relu is fused into conv2 but stays in place for its other call (and runs again after conv2)
        assertEquals(Map.of("conv2", List.of("bn2", "relu")), Fusion.fuseForInference(m, x));
        assertInstanceOf(ConvActivation2d.class, m.getSubmodule("conv2"));
        assertInstanceOf(ReLU.class, m.getSubmodule("relu"));
        assertEquals(Conv2d.class, m.getSubmodule("conv1").getClass());

        Sequential direct = new Sequential(new Conv2d(Conv2dOptions.of(2, 3, 3).withPadding(1)), new ReLU6());
        try (var g = Torch.noGrad()) {
            Tensor w = ((Conv2d) direct.getSubmodule("0")).weight();
            w.copyFrom(w.mul(20f)); // outputs well beyond 6
        }
        direct.eval();
        Tensor y = noGradCall(direct, x);
        assertEquals(Map.of("0", List.of("1")), Fusion.fuseForInference(direct, x));
        ConvActivation2d c = assertInstanceOf(ConvActivation2d.class, direct.getSubmodule("0"));
        assertEquals(6f, c.hi());
        assertTrue(y.max().item() == 6f, "the test's conv reaches the clamp");
        assertClose(y, noGradCall(direct, x), 1e-6, 1e-6, "conv + relu6 fused");
        assertClose(before, noGradCall(m, x), 1e-5, 1e-4, "shared-activation model output");
    }

    private static Tensor noGradCall(Module m, Tensor x) {
        try (var g = Torch.noGrad()) {
            return m.call(x);
        }
    }

    @Test
    void convActivationGradientsAreThoseOfConvThenActivation() {
        Torch.manualSeed(7);
        Conv2dOptions o = Conv2dOptions.of(3, 4, 3).withStride(2).withPadding(1);
        Conv2d conv = new Conv2d(o);
        ConvActivation2d fused = ConvActivation2d.relu6(o);
        fused.loadStateDict(conv.stateDict());
        Tensor x = Torch.randn(2, 3, 7, 7).mul(3f).requiresGrad(true);
        Tensor x2 = x.detach().clone().requiresGrad(true);
        new ReLU6().call(conv.call(x)).sum().backward();
        fused.call(x2).sum().backward();
        assertClose(x.grad(), x2.grad(), 1e-6, 1e-5, "input gradient");
        assertClose(conv.weight().grad(), fused.weight().grad(), 1e-5, 1e-5, "weight gradient");
        assertTrue(fused.toString().contains("clamp=(0.0, 6.0)"), fused.toString());
    }

    /** ResNet's stem, small: conv -> bn -> relu -> 3x3 stride-2 max pooling, then a head. */
    private static Sequential stemNet() {
        Torch.manualSeed(4);
        Sequential net = new Sequential(
                new Conv2d(
                        Conv2dOptions.of(3, 64, 7).withStride(2).withPadding(3).withBias(false)),
                new BatchNorm2d(64),
                new ReLU(),
                new MaxPool2d(3, 2, 1, 1, false),
                new Flatten(),
                new Linear(64 * 5 * 5, 3));
        try (var g = Torch.noGrad()) {
            BatchNorm2d b = (BatchNorm2d) net.getSubmodule("1");
            b.buffer("running_mean").copyFrom(Torch.randn(64).mul(0.3f));
            b.buffer("running_var").copyFrom(Torch.rand(64).add(0.5f));
        }
        return net;
    }

    @Test
    void fuseForInferenceFoldsTheMaxPoolingAfterAnActivation() {
        Sequential net = stemNet();
        net.eval();
        Tensor x = Torch.randn(2, 3, 19, 18);
        Tensor before = noGradCall(net, x);
        assertEquals(Map.of("0", List.of("1", "2", "3")), Fusion.fuseForInference(net, x));
        ConvActivationPool2d c = assertInstanceOf(ConvActivationPool2d.class, net.getSubmodule("0"));
        assertInstanceOf(Identity.class, net.getSubmodule("3"));
        assertTrue(c.toString().contains("max_pool=(kernel_size=3, stride=2, padding=1"), c.toString());
        assertClose(before, noGradCall(net, x), 1e-5, 1e-4, "fused model output (NCHW: the ops in turn)");
        Tensor channelsLast = x.contiguous(dev.torchlet.MemoryFormat.CHANNELS_LAST);
        Tensor fast;
        try (var g = Torch.inferenceMode()) {
            fast = net.call(channelsLast); // the one-pass kernel
        }
        assertClose(before, fast, 1e-5, 1e-4, "fused model output (channels-last: one pass)");
    }

    /** conv -> relu, whose output is pooled and also added back after an upsampling (a U-Net's skip connection). */
    private static final class PooledAndSkipped extends Module {
        PooledAndSkipped() {
            registerModule("conv", new Conv2d(Conv2dOptions.of(2, 4, 3).withPadding(1)));
            registerModule("relu", new ReLU());
            registerModule("pool", new MaxPool2d(2));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor skip = child("relu").call(child("conv").call(x));
            Tensor pooled = child("pool").call(skip);
            return skip.add(dev.torchlet.nn.functional.F.interpolate(pooled, 2.0, "nearest", false));
        }
    }

    @Test
    void aPoolingWhoseInputIsAlsoUsedElsewhereIsPutBackAndTheRestStaysFused() {
        Torch.manualSeed(6);
        PooledAndSkipped m = new PooledAndSkipped();
        m.eval();
        Tensor x = Torch.randn(1, 2, 6, 6);
        Tensor before = noGradCall(m, x);
        Module pool = m.getSubmodule("pool");
        assertEquals(Map.of("conv", List.of("relu")), Fusion.fuseForInference(m, x));
        assertEquals(ConvActivation2d.class, m.getSubmodule("conv").getClass());
        assertSame(pool, m.getSubmodule("pool"));
        assertClose(before, noGradCall(m, x), 1e-6, 1e-5, "model output");
    }

    @Test
    void convActivationPoolGradientsAreThoseOfTheThreeLayers() {
        Torch.manualSeed(8);
        Conv2dOptions o = Conv2dOptions.of(3, 4, 3).withPadding(1);
        Conv2d conv = new Conv2d(o);
        MaxPool2d pool = new MaxPool2d(3, 2, 1, 1, true);
        ConvActivationPool2d fused = new ConvActivationPool2d(o, 0f, Float.POSITIVE_INFINITY, pool);
        fused.loadStateDict(conv.stateDict());
        Tensor x = Torch.randn(2, 3, 8, 7).requiresGrad(true);
        Tensor x2 = x.detach().clone().requiresGrad(true);
        Tensor y = pool.call(new ReLU().call(conv.call(x)));
        Tensor y2 = fused.call(x2);
        assertClose(y, y2, 1e-6, 1e-6, "output");
        y.sum().backward();
        y2.sum().backward();
        assertClose(x.grad(), x2.grad(), 1e-6, 1e-5, "input gradient");
        assertClose(conv.weight().grad(), fused.weight().grad(), 1e-5, 1e-5, "weight gradient");
    }

    /** A conv whose raw output is also added to the batch-normed one: folding would change the sum. */
    private static final class ConvUsedTwice extends Module {
        ConvUsedTwice() {
            registerModule("conv", new Conv2d(2, 2, 1));
            registerModule("bn", new BatchNorm2d(2));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor c = child("conv").call(x);
            return child("bn").call(c).add(c);
        }
    }

    @Test
    void aModelThatUsesTheRawConvOutputIsRefusedAndLeftUnchanged() {
        ConvUsedTwice m = new ConvUsedTwice();
        try (var g = Torch.noGrad()) {
            ((BatchNorm2d) m.getSubmodule("bn")).buffer("running_var").copyFrom(Torch.full(4f, 2));
        }
        m.eval();
        Module conv = m.getSubmodule("conv");
        Module bn = m.getSubmodule("bn");
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> Fusion.fuseConvBn(m, Torch.randn(1, 2, 3, 3)));
        assertTrue(e.getMessage().contains("unchanged"), e.getMessage());
        assertSame(conv, m.getSubmodule("conv"));
        assertSame(bn, m.getSubmodule("bn"));
    }

    @Test
    void trainingModeAndMismatchedChannelsAreRefused() {
        Sequential net = convNet();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> Fusion.fuseConvBn(net, Torch.randn(1, 3, 8, 8)));
        assertTrue(e.getMessage().contains("eval()"), e.getMessage());
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class, () -> Fusion.fuseConvBnEval(new Conv2d(3, 8, 3), new BatchNorm2d(6)));
        assertTrue(bad.getMessage().contains("6 features") && bad.getMessage().contains("8 output"), bad.getMessage());
    }
}
