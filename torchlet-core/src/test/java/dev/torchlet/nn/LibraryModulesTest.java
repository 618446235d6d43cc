package dev.torchlet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Contracts every library module type keeps, checked over all concrete modules of
 * {@code dev.torchlet.nn} (found on the class path, so a new layer without a sample fails here):
 * a forward hook on every submodule fires when the module is called (multi-input modules through
 * their multi-input {@code call}), and no module keeps a child in a field that
 * {@code replaceModule} could not reach.
 */
class LibraryModulesTest {
    /** A module and how to call it. */
    record Sample(Module module, Consumer<Module> run) {}

    /** Containers without a forward of their own; their children run when their owner calls them. */
    static final List<Class<?>> NO_FORWARD = List.of(ModuleList.class, ModuleDict.class);

    static Tensor randn(int... shape) {
        return Torch.randn(shape);
    }

    static Sample single(Module m, int... inputShape) {
        return new Sample(m, mod -> mod.call(Torch.rand(inputShape)));
    }

    static Sample loss(Loss m, Supplier<Tensor> input, Supplier<Tensor> target) {
        return new Sample(m, mod -> ((Loss) mod).call(input.get(), target.get()));
    }

    static Tensor labels() {
        return Torch.tensor(new long[] {0, 1, 2, 0}, 4);
    }

    /** One sample per concrete library module type. */
    static Map<Class<?>, Supplier<Sample>> samples() {
        Map<Class<?>, Supplier<Sample>> s = new LinkedHashMap<>();
        s.put(AdaptiveAvgPool2d.class, () -> single(new AdaptiveAvgPool2d(2), 1, 2, 4, 4));
        s.put(AdaptiveMaxPool2d.class, () -> single(new AdaptiveMaxPool2d(2), 1, 2, 4, 4));
        s.put(AvgPool2d.class, () -> single(new AvgPool2d(2), 1, 2, 4, 4));
        s.put(MaxPool1d.class, () -> single(new MaxPool1d(2), 1, 2, 8));
        s.put(MaxPool2d.class, () -> single(new MaxPool2d(2), 1, 2, 4, 4));
        s.put(BatchNorm1d.class, () -> single(new BatchNorm1d(3), 4, 3));
        s.put(BatchNorm2d.class, () -> single(new BatchNorm2d(2), 2, 2, 3, 3));
        s.put(GroupNorm.class, () -> single(new GroupNorm(2, 4), 2, 4, 3, 3));
        s.put(LayerNorm.class, () -> single(new LayerNorm(4), 2, 4));
        s.put(LayerNorm2d.class, () -> single(new LayerNorm2d(4), 2, 4, 3, 3));
        s.put(ClassToken.class, () -> single(new ClassToken(4), 2, 3, 4));
        s.put(PositionEmbedding.class, () -> single(new PositionEmbedding(3, 4), 2, 3, 4));
        s.put(Conv1d.class, () -> single(new Conv1d(2, 3, 3), 1, 2, 8));
        s.put(Conv2d.class, () -> single(new Conv2d(2, 3, 3), 1, 2, 5, 5));
        s.put(ConvActivation2d.class, () -> single(ConvActivation2d.relu6(Conv2dOptions.of(2, 3, 3)), 1, 2, 5, 5));
        s.put(
                ConvActivationPool2d.class,
                () -> single(
                        new ConvActivationPool2d(Conv2dOptions.of(2, 3, 3), 0f, 6f, new MaxPool2d(3, 2, 1, 1, false)),
                        1,
                        2,
                        7,
                        7));
        s.put(ConvTranspose2d.class, () -> single(new ConvTranspose2d(2, 3, 3, 1, 0), 1, 2, 4, 4));
        s.put(Linear.class, () -> single(new Linear(4, 3), 2, 4));
        s.put(Dropout.class, () -> single(new Dropout(0.5), 2, 3, 4, 4));
        s.put(Dropout2d.class, () -> single(new Dropout2d(0.5), 2, 3, 4, 4));
        s.put(ELU.class, () -> single(new ELU(), 2, 3));
        s.put(GELU.class, () -> single(new GELU(), 2, 3));
        s.put(LeakyReLU.class, () -> single(new LeakyReLU(), 2, 3));
        s.put(ReLU.class, () -> single(new ReLU(), 2, 3));
        s.put(SiLU.class, () -> single(new SiLU(), 2, 3));
        s.put(Sigmoid.class, () -> single(new Sigmoid(), 2, 3));
        s.put(ReLU6.class, () -> single(new ReLU6(), 2, 3));
        s.put(Hardswish.class, () -> single(new Hardswish(), 2, 3));
        s.put(Hardsigmoid.class, () -> single(new Hardsigmoid(), 2, 3));
        s.put(SqueezeExcitation.class, () -> single(new SqueezeExcitation(4, 2), 2, 4, 3, 3));
        s.put(StochasticDepth.class, () -> single(new StochasticDepth(0.5, "row"), 4, 3, 2, 2));
        s.put(Softplus.class, () -> single(new Softplus(), 2, 3));
        s.put(Tanh.class, () -> single(new Tanh(), 2, 3));
        s.put(Softmax.class, () -> single(new Softmax(1), 2, 3));
        s.put(LogSoftmax.class, () -> single(new LogSoftmax(1), 2, 3));
        s.put(Identity.class, () -> single(new Identity(), 2, 3));
        s.put(Flatten.class, () -> single(new Flatten(), 2, 3, 4));
        s.put(Unflatten.class, () -> single(new Unflatten(1, 2, 3), 2, 6));
        s.put(Upsample.class, () -> single(new Upsample(2.0, "nearest"), 1, 1, 2, 2));
        s.put(PixelShuffle.class, () -> single(new PixelShuffle(2), 1, 4, 2, 2));
        s.put(PixelUnshuffle.class, () -> single(new PixelUnshuffle(2), 1, 1, 4, 4));
        s.put(InstanceNorm2d.class, () -> single(new InstanceNorm2d(2, true), 2, 2, 3, 3));
        s.put(
                SinusoidalTimestepEmbedding.class,
                () -> new Sample(
                        new SinusoidalTimestepEmbedding(8), m -> m.call(Torch.tensor(new long[] {0, 10, 999}, 3))));
        s.put(
                Embedding.class,
                () -> new Sample(new Embedding(10, 4), m -> m.call(Torch.tensor(new long[] {1, 2, 3, 9, 0, 4}, 2, 3))));
        s.put(Sequential.class, () -> single(new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2)), 2, 4));
        s.put(
                RNN.class,
                () -> new Sample(
                        new RNN(4, 5, 2, true), m -> ((RNN) m).call(Torch.rand(2, 3, 4), Torch.zeros(2, 2, 5), null)));
        s.put(
                LSTM.class,
                () -> new Sample(
                        new LSTM(4, 5, 2, true),
                        m -> ((LSTM) m).call(Torch.rand(2, 3, 4), null, Torch.zeros(2, 2, 5))));
        s.put(GRU.class, () -> single(new GRU(4, 5, 1, false), 3, 2, 4));
        s.put(RNNCell.class, () -> new Sample(new RNNCell(4, 5), m -> ((RNNCell) m).call(Torch.rand(2, 4), null)));
        s.put(GRUCell.class, () -> single(new GRUCell(4, 5), 2, 4));
        s.put(
                LSTMCell.class,
                () -> new Sample(
                        new LSTMCell(4, 5),
                        m -> ((LSTMCell) m).call(Torch.rand(2, 4), Torch.zeros(2, 5), Torch.zeros(2, 5))));
        s.put(
                MultiheadAttention.class,
                () -> new Sample(new MultiheadAttention(8, 2), m -> {
                    Tensor q = Torch.rand(3, 2, 8); // (T, B, E)
                    ((MultiheadAttention) m).call(q, Torch.rand(5, 2, 8), Torch.rand(5, 2, 8), null, null);
                }));
        s.put(
                TransformerEncoderLayer.class,
                () -> new Sample(
                        new TransformerEncoderLayer(8, 2, 16),
                        m -> ((TransformerEncoderLayer) m)
                                .call(Torch.rand(4, 2, 8), MultiheadAttention.causalMask(4), null)));
        s.put(
                TransformerEncoder.class,
                () -> new Sample(
                        new TransformerEncoder(new TransformerEncoderLayer(8, 2, 16), 2, new LayerNorm(8)),
                        m -> ((TransformerEncoder) m)
                                .call(Torch.rand(4, 2, 8), MultiheadAttention.causalMask(4), null)));
        s.put(
                TransformerDecoderLayer.class,
                () -> new Sample(
                        new TransformerDecoderLayer(8, 2, 16),
                        m -> ((TransformerDecoderLayer) m)
                                .call(Torch.rand(4, 2, 8), Torch.rand(5, 2, 8), null, null, null, null)));
        s.put(
                TransformerDecoder.class,
                () -> new Sample(
                        new TransformerDecoder(new TransformerDecoderLayer(8, 2, 16), 2, new LayerNorm(8)),
                        m -> ((TransformerDecoder) m)
                                .call(Torch.rand(4, 2, 8), Torch.rand(5, 2, 8), null, null, null, null)));
        s.put(
                Transformer.class,
                () -> new Sample(
                        new Transformer(TransformerOptions.of(8, 2, 1, 1).withDimFeedforward(16)),
                        m -> ((Transformer) m).call(Torch.rand(5, 2, 8), Torch.rand(4, 2, 8))));
        s.put(SinusoidalPositionalEncoding.class, () -> single(new SinusoidalPositionalEncoding(8, 16), 2, 5, 8));
        s.put(LearnedPositionalEncoding.class, () -> single(new LearnedPositionalEncoding(16, 8), 2, 5, 8));
        s.put(RotaryEmbedding.class, () -> single(new RotaryEmbedding(4), 2, 2, 5, 4));
        s.put(MSELoss.class, () -> loss(new MSELoss(), () -> randn(4), () -> randn(4)));
        s.put(L1Loss.class, () -> loss(new L1Loss(), () -> randn(4), () -> randn(4)));
        s.put(SmoothL1Loss.class, () -> loss(new SmoothL1Loss(), () -> randn(4), () -> randn(4)));
        s.put(HuberLoss.class, () -> loss(new HuberLoss(), () -> randn(4), () -> randn(4)));
        s.put(BCELoss.class, () -> loss(new BCELoss(), () -> Torch.rand(4), () -> Torch.rand(4)));
        s.put(BCEWithLogitsLoss.class, () -> loss(new BCEWithLogitsLoss(), () -> randn(4), () -> Torch.rand(4)));
        s.put(
                CrossEntropyLoss.class,
                () -> loss(new CrossEntropyLoss(), () -> randn(4, 3), LibraryModulesTest::labels));
        s.put(NLLLoss.class, () -> loss(new NLLLoss(), () -> randn(4, 3).logSoftmax(1), LibraryModulesTest::labels));
        s.put(
                KLDivLoss.class,
                () -> loss(
                        new KLDivLoss(),
                        () -> randn(2, 3).logSoftmax(1),
                        () -> randn(2, 3).softmax(1)));
        s.put(
                DistillationLoss.class,
                () -> new Sample(
                        new DistillationLoss(), m -> ((DistillationLoss) m).call(randn(4, 3), randn(4, 3), labels())));
        s.put(
                TripletMarginLoss.class,
                () -> new Sample(
                        new TripletMarginLoss(),
                        m -> ((TripletMarginLoss) m).call(randn(3, 4), randn(3, 4), randn(3, 4))));
        s.put(
                CosineEmbeddingLoss.class,
                () -> new Sample(
                        new CosineEmbeddingLoss(),
                        m -> ((CosineEmbeddingLoss) m)
                                .call(randn(3, 4), randn(3, 4), Torch.tensor(new float[] {1, -1, 1}, 3))));
        return s;
    }

    /** Every concrete public Module subclass in dev.torchlet.nn, from the compiled classes. */
    static List<Class<?>> libraryModuleTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(Module.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .resolve("dev/torchlet/nn");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                if (!file.endsWith(".class") || file.contains("$")) {
                    continue;
                }
                Class<?> c = Class.forName("dev.torchlet.nn." + file.substring(0, file.length() - 6));
                if (Module.class.isAssignableFrom(c)
                        && Modifier.isPublic(c.getModifiers())
                        && !Modifier.isAbstract(c.getModifiers())) {
                    out.add(c);
                }
            }
        }
        assertTrue(out.size() > 40, "found only " + out);
        return out;
    }

    @Test
    void everyLibraryModuleTypeHasASample() throws Exception {
        Map<Class<?>, Supplier<Sample>> samples = samples();
        TreeSet<String> missing = new TreeSet<>();
        for (Class<?> c : libraryModuleTypes()) {
            if (!samples.containsKey(c) && !NO_FORWARD.contains(c)) {
                missing.add(c.getSimpleName());
            }
        }
        assertEquals(new TreeSet<>(), missing, "add a sample for these module types to LibraryModulesTest");
    }

    @Test
    void aHookOnEverySubmoduleOfEveryModuleTypeFires() {
        Torch.manualSeed(0);
        for (var e : samples().entrySet()) {
            Sample sample = e.getValue().get();
            Map<String, Integer> fired = new LinkedHashMap<>();
            sample.module().namedModules().forEach((path, m) -> {
                fired.put(path, 0);
                m.registerForwardHook((mod, in, out) -> {
                    fired.merge(path, 1, Integer::sum);
                    return null;
                });
            });
            sample.run().accept(sample.module());
            fired.forEach((path, count) -> assertTrue(
                    count > 0,
                    e.getKey().getSimpleName() + ": the hook on '" + path + "' did not fire (" + fired + ")"));
        }
    }

    @Test
    void noLibraryModuleKeepsAChildInAField() throws Exception {
        List<String> offenders = new ArrayList<>();
        for (Class<?> c : libraryModuleTypes()) {
            for (Class<?> k = c; k != Module.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && Module.class.isAssignableFrom(f.getType())) {
                        offenders.add(k.getSimpleName() + "." + f.getName());
                    }
                }
            }
        }
        if (!offenders.isEmpty()) {
            fail("children kept in fields are not reached by replaceModule; look them up with child(name): "
                    + offenders);
        }
    }
}
