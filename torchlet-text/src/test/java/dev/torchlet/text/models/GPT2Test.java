package dev.torchlet.text.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.testing.Golden;
import dev.torchlet.text.generation.PastKeyValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2 against the PyTorch reference of HF's GPT2LMHeadModel in tools/golden/gen_text_models.py
 * (random weights, a Hub-layout folder): logits and hidden states (atol 1e-5, rtol 1e-4), the
 * gradient of every parameter (atol 1e-4, rtol 1e-3), left padding, the KV cache, save/load and bad input.
 */
class GPT2Test {
    static final Path DIR = Path.of("src/test/resources/golden/gpt2_tiny");
    static final String FIX = "text_gpt2";

    @TempDir
    Path tmp;

    static GPT2 load() throws IOException {
        return GPT2.fromPretrained(DIR);
    }

    @Test
    void logitsAndHiddenStatesMatchPyTorch() throws IOException {
        GPT2 model = load();
        Tensor ids = Golden.get(FIX, "ids");
        try (var g = Torch.noGrad()) {
            Golden.assertClose(Golden.get(FIX, "logits"), model.call(ids), 1e-5, 1e-4, "logits");
            Golden.assertClose(Golden.get(FIX, "hidden"), model.transformer().call(ids), 1e-5, 1e-4, "hidden");
        }
    }

    @Test
    void everyGradientMatchesPyTorch() throws IOException {
        GPT2 model = load();
        Tensor logits = model.call(Golden.get(FIX, "ids"));
        logits.mul(Golden.get(FIX, "w")).sum().backward();
        Map<String, Tensor> params = model.namedParameters();
        TreeSet<String> expected = new TreeSet<>();
        Golden.load(FIX).keySet().stream()
                .filter(k -> k.startsWith("grad."))
                .forEach(k -> expected.add(k.substring(5)));
        assertEquals(expected, new TreeSet<>(params.keySet()), "parameter names (lm_head tied to wte)");
        params.forEach((name, p) -> Golden.assertClose(Golden.get(FIX, "grad." + name), p.grad(), 1e-4, 1e-3, name));
    }

    @Test
    void leftPaddedBatchMatchesPyTorch() throws IOException {
        GPT2 model = load();
        try (var g = Torch.noGrad()) {
            Tensor logits = model.call(Golden.get(FIX, "padded.ids"), Golden.get(FIX, "padded.mask"), null);
            Golden.assertClose(Golden.get(FIX, "padded.logits"), logits, 1e-5, 1e-4, "padded logits");
        }
    }

    @Test
    void kvCacheGivesTheFullForwardsLogits() throws IOException {
        GPT2 model = load();
        Tensor ids = Golden.get(FIX, "padded.ids");
        Tensor mask = Golden.get(FIX, "padded.mask");
        try (var g = Torch.noGrad()) {
            for (boolean masked : new boolean[] {false, true}) {
                Tensor full = model.call(ids, masked ? mask : null, null);
                PastKeyValues past = model.newCache();
                List<Tensor> parts = new java.util.ArrayList<>();
                parts.add(model.call(ids.narrow(1, 0, 4), masked ? mask.narrow(1, 0, 4) : null, past));
                for (int t = 4; t < 7; t++) {
                    assertEquals(t, past.length());
                    parts.add(model.call(ids.narrow(1, t, 1), masked ? mask.narrow(1, 0, t + 1) : null, past));
                }
                // padding positions (row 0's first two) attend to nothing: only real tokens are compared
                int from = masked ? 2 : 0;
                Golden.assertClose(
                        full.narrow(1, from, 7 - from),
                        Torch.cat(parts, 1).narrow(1, from, 7 - from),
                        1e-5,
                        1e-4,
                        "cached logits, mask " + masked);
            }
        }
    }

    @Test
    void preallocatedKvCacheGivesTheFullForwardsLogitsAndWritesInPlace() throws IOException {
        GPT2 model = load();
        Tensor ids = Golden.get(FIX, "padded.ids");
        Tensor mask = Golden.get(FIX, "padded.mask");
        try (var g = Torch.noGrad()) {
            for (boolean masked : new boolean[] {false, true}) {
                Tensor full = model.call(ids, masked ? mask : null, null);
                PastKeyValues past = model.newCache(7);
                assertTrue(past.isPreallocated());
                List<Tensor> parts = new java.util.ArrayList<>();
                parts.add(model.call(ids.narrow(1, 0, 4), masked ? mask.narrow(1, 0, 4) : null, past));
                Tensor keys0 = past.keys(0);
                for (int t = 4; t < 7; t++) {
                    assertEquals(t, past.length());
                    parts.add(model.call(ids.narrow(1, t, 1), masked ? mask.narrow(1, 0, t + 1) : null, past));
                }
                // the cached keys are views of one buffer: the first view's storage holds the later tokens too
                assertEquals(7, past.keys(0).size(1));
                Golden.assertClose(past.keys(0).narrow(1, 0, 4), keys0, 0, 0, "keys written in place, not copied");
                int from = masked ? 2 : 0;
                Golden.assertClose(
                        full.narrow(1, from, 7 - from),
                        Torch.cat(parts, 1).narrow(1, from, 7 - from),
                        1e-5,
                        1e-4,
                        "preallocated cached logits, mask " + masked);
                var e = assertThrows(IllegalArgumentException.class, () -> model.call(ids.narrow(1, 0, 1), null, past));
                assertTrue(e.getMessage().contains("capacity 7"), e.getMessage());
            }
        }
    }

    @Test
    void saveThenFromPretrainedRoundTrips() throws IOException {
        GPT2 model = load();
        Path out = tmp.resolve("saved");
        model.save(out);
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
        assertTrue(SafeTensors.read(out.resolve("model.safetensors")).containsKey("transformer.h.1.mlp.c_fc.weight"));
        GPT2 back = GPT2.fromPretrained(out);
        assertEquals(model.config(), back.config());
        Tensor ids = Golden.get(FIX, "ids");
        try (var g = Torch.noGrad()) {
            Golden.assertClose(model.call(ids), back.call(ids), 0, 0, "round trip");
        }
        // GPT2LMHeadModel's full state dict (prefix and lm_head.weight) loads too
        Path full = tmp.resolve("full");
        Files.createDirectories(full);
        Files.copy(DIR.resolve("config.json"), full.resolve("config.json"));
        SafeTensors.write(model.stateDict(), full.resolve("model.safetensors"));
        try (var g = Torch.noGrad()) {
            Golden.assertClose(model.call(ids), GPT2.fromPretrained(full).call(ids), 0, 0, "with lm_head");
        }
    }

    @Test
    void badInputIsRejectedClearly() throws IOException {
        GPT2 model = load();
        var e = assertThrows(
                IllegalArgumentException.class, () -> model.call(Torch.tensor(new long[] {1, 50, 2}, 1, 3)));
        assertTrue(e.getMessage().contains("token id 50") && e.getMessage().contains("vocab_size 50"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> model.call(Torch.zeros(dev.torchlet.DType.INT64, 1, 17)));
        assertTrue(e.getMessage().contains("17 tokens") && e.getMessage().contains("n_positions 16"), e.getMessage());
        PastKeyValues past = model.newCache();
        model.call(Torch.zeros(dev.torchlet.DType.INT64, 1, 10), null, past);
        e = assertThrows(
                IllegalArgumentException.class,
                () -> model.call(Torch.zeros(dev.torchlet.DType.INT64, 1, 7), null, past));
        assertTrue(e.getMessage().contains("10 cached + 7 new"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> model.call(Torch.zeros(dev.torchlet.DType.INT64, 2, 3), Torch.ones(2, 4), null));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2, 4]"), e.getMessage());
    }

    @Test
    void weightsThatDoNotFitTheConfigNameKeysAndShapes() throws IOException {
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.writeString(
                bad.resolve("config.json"),
                Files.readString(DIR.resolve("config.json"))
                        .replace("\"n_layer\": 2", "\"n_layer\": 3")
                        .replace("\"vocab_size\": 50", "\"vocab_size\": 60"));
        Files.copy(DIR.resolve("model.safetensors"), bad.resolve("model.safetensors"));
        var e = assertThrows(IllegalArgumentException.class, () -> GPT2.fromPretrained(bad));
        String m = e.getMessage();
        assertTrue(m.contains("transformer.wte.weight: weights [50, 16] but the config gives [60, 16]"), m);
        assertTrue(m.contains("missing keys") && m.contains("transformer.h.2.ln_1.weight"), m);

        Map<String, Tensor> extra = new LinkedHashMap<>(SafeTensors.read(DIR.resolve("model.safetensors")));
        extra.put("h.0.attn.surprise", Torch.zeros(2));
        Files.writeString(bad.resolve("config.json"), Files.readString(DIR.resolve("config.json")));
        SafeTensors.write(extra, bad.resolve("model.safetensors"));
        e = assertThrows(IllegalArgumentException.class, () -> GPT2.fromPretrained(bad));
        assertTrue(e.getMessage().contains("unexpected keys: [transformer.h.0.attn.surprise]"), e.getMessage());
    }
}
