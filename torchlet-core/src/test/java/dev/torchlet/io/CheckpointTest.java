package dev.torchlet.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.Optimizer;
import dev.torchlet.optim.SGD;
import dev.torchlet.optim.StepLR;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training checkpoints: one safetensors file, restored exactly, validated before anything changes. */
class CheckpointTest {
    @TempDir
    Path dir;

    private static Sequential mlp(long seed) {
        Torch.manualSeed(seed);
        return new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    }

    private static void trainStep(Module model, Optimizer opt) {
        Torch.manualSeed(99);
        Tensor x = Torch.randn(8, 4);
        Tensor loss = model.forward(x).pow(2).mean();
        opt.zeroGrad();
        loss.backward();
        opt.step();
    }

    /** Deep copy of a state dict, for before/after comparisons. */
    private static Map<String, double[]> snapshot(Map<String, Tensor> state) {
        Map<String, double[]> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    private static void assertSameState(Map<String, double[]> expected, Map<String, double[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), 0.0, k));
    }

    @Test
    void roundTripRestoresModelOptimizerSchedulerAndMetadataExactly() throws IOException {
        Sequential a = mlp(0);
        Adam optA = new Adam(a.parameters(), 0.01);
        StepLR schedA = new StepLR(optA, 2, 0.5);
        for (int i = 0; i < 3; i++) {
            trainStep(a, optA);
            schedA.step();
        }
        Path p = dir.resolve("ckpt.safetensors");
        Checkpoint.save(p, a, optA, schedA, Map.of("epoch", "3", "note", "after warmup"));

        Sequential b = mlp(1);
        Adam optB = new Adam(b.parameters(), 0.01);
        StepLR schedB = new StepLR(optB, 2, 0.5);
        Map<String, String> meta = Checkpoint.load(p, b, optB, schedB);

        assertEquals(Map.of("epoch", "3", "note", "after warmup"), meta, "only the user's metadata comes back");
        assertSameState(snapshot(a.stateDict()), snapshot(b.stateDict()));
        assertSameState(snapshot(optA.stateDict()), snapshot(optB.stateDict()));
        assertEquals(3, schedB.lastEpoch());
        assertEquals(schedA.lastLr(), schedB.lastLr());
        assertEquals(0.005, schedB.lastLr().getFirst(), 1e-15);

        // training continues identically: Adam's moments and step count were restored
        trainStep(a, optA);
        trainStep(b, optB);
        assertSameState(snapshot(a.stateDict()), snapshot(b.stateDict()));
    }

    @Test
    void fileIsPlainSafetensorsWithPrefixedKeys() throws IOException {
        Sequential m = mlp(0);
        SGD sgd = new SGD(m.parameters(), 0.1, 0.9);
        trainStep(m, sgd);
        Path p = dir.resolve("c.safetensors");
        Checkpoint.save(p, m, sgd, Map.of("epoch", "1"));
        SafeTensors.Contents c = SafeTensors.readWithMetadata(p);
        for (String k : m.stateDict().keySet()) {
            assertTrue(c.tensors().containsKey("model." + k), k);
        }
        assertTrue(c.tensors().keySet().stream().anyMatch(k -> k.startsWith("optimizer.state.0.")), "momentum buffer");
        assertTrue(c.tensors().keySet().stream().allMatch(k -> k.startsWith("model.") || k.startsWith("optimizer.")));
        assertEquals("1", c.metadata().get("epoch"));
        assertEquals(Checkpoint.FORMAT, c.metadata().get(Checkpoint.FORMAT_KEY));
        assertEquals(SGD.class.getName(), c.metadata().get(Checkpoint.OPTIMIZER_KEY));
    }

    @Test
    void modelOnlyCheckpoint() throws IOException {
        Sequential a = mlp(0);
        Path p = dir.resolve("weights.safetensors");
        Checkpoint.save(p, a, null, Map.of());
        Sequential b = mlp(5);
        assertEquals(Map.of(), Checkpoint.load(p, b, null));
        assertSameState(snapshot(a.stateDict()), snapshot(b.stateDict()));

        Sequential c = mlp(6);
        Map<String, double[]> before = snapshot(c.stateDict());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Checkpoint.load(p, c, new Adam(c.parameters(), 0.1)));
        assertTrue(e.getMessage().contains("no optimizer state"), e.getMessage());
        assertSameState(before, snapshot(c.stateDict()));
        assertThrows(
                IllegalArgumentException.class,
                () -> Checkpoint.load(p, c, null, new StepLR(new SGD(c.parameters(), 0.1), 1, 0.5)));
    }

    @Test
    void mismatchedModelChangesNothing() throws IOException {
        Sequential a = mlp(0);
        Adam optA = new Adam(a.parameters(), 0.01);
        trainStep(a, optA);
        Path p = dir.resolve("a.safetensors");
        Checkpoint.save(p, a, optA, Map.of());

        Torch.manualSeed(3);
        Sequential wider = new Sequential(new Linear(4, 5), new ReLU(), new Linear(5, 2));
        Adam optW = new Adam(wider.parameters(), 0.01);
        trainStep(wider, optW);
        Map<String, double[]> model = snapshot(wider.stateDict());
        Map<String, double[]> opt = snapshot(optW.stateDict());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(p, wider, optW));
        assertTrue(
                e.getMessage().contains("'0.weight': checkpoint torch.float32 [3, 4] vs model torch.float32 [5, 4]"),
                e.getMessage());
        assertSameState(model, snapshot(wider.stateDict()));
        assertSameState(opt, snapshot(optW.stateDict()));

        Sequential deeper = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2), new Linear(2, 2));
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(p, deeper, null));
        assertTrue(e.getMessage().contains("missing key '3.weight'"), e.getMessage());
    }

    @Test
    void optimizerMismatchChangesNeitherModelNorOptimizer() throws IOException {
        Sequential a = mlp(0);
        Adam optA = new Adam(a.parameters(), 0.01);
        trainStep(a, optA);
        Path p = dir.resolve("a.safetensors");
        Checkpoint.save(p, a, optA, Map.of());

        Sequential b = mlp(1);
        Map<String, double[]> before = snapshot(b.stateDict());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(p, b, new SGD(b.parameters(), 0.1)));
        assertTrue(
                e.getMessage().contains(Adam.class.getName()) && e.getMessage().contains(SGD.class.getName()),
                e.getMessage());
        assertSameState(before, snapshot(b.stateDict()));

        // same class, but over fewer parameters: the optimizer refuses, the model is still untouched
        Adam partial = new Adam(List.of(b.parameters().get(0)), 0.01);
        Map<String, double[]> optBefore = snapshot(partial.stateDict());
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(p, b, partial));
        assertSameState(before, snapshot(b.stateDict()));
        assertSameState(optBefore, snapshot(partial.stateDict()));
    }

    @Test
    void corruptOrForeignFilesAreRejectedBeforeAnyChange() throws IOException {
        Sequential a = mlp(0);
        Path p = dir.resolve("a.safetensors");
        Checkpoint.save(p, a, null, Map.of());
        Sequential b = mlp(1);
        Map<String, double[]> before = snapshot(b.stateDict());

        byte[] bytes = Files.readAllBytes(p);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 4));
        assertThrows(IOException.class, () -> Checkpoint.load(cut, b, null));

        Path plain = dir.resolve("plain.safetensors");
        Map<String, Tensor> prefixed = new HashMap<>();
        b.stateDict().forEach((k, v) -> prefixed.put("model." + k, v));
        SafeTensors.write(prefixed, plain);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(plain, b, null));
        assertTrue(e.getMessage().contains("not a Torchlet checkpoint"), e.getMessage());
        assertSameState(before, snapshot(b.stateDict()));
    }

    @Test
    void failedSaveKeepsThePreviousCheckpoint() throws IOException {
        Sequential a = mlp(0);
        Path p = dir.resolve("a.safetensors");
        Checkpoint.save(p, a, null, Map.of("epoch", "1"));
        byte[] before = Files.readAllBytes(p);
        Map<String, String> bad = new HashMap<>();
        bad.put("epoch", null);
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(p, a, null, bad));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Checkpoint.save(p, a, null, Map.of("torchlet.format", "mine")));
        assertTrue(e.getMessage().contains("reserved prefix"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList(), "no temporary files left");
        }
    }
}
