package dev.torchlet.text.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BERT against the PyTorch reference of HF's BertModel in tools/golden/gen_text_models.py (random
 * weights): last hidden state, pooler, mean and CLS sentence embeddings (atol 1e-5, rtol 1e-4), the
 * gradient of every parameter (atol 1e-4, rtol 1e-3), HF file variants, save/load and bad input.
 */
class BertTest {
    static final Path DIR = Path.of("src/test/resources/golden/bert_tiny");
    static final String FIX = "text_bert";

    @TempDir
    Path tmp;

    @Test
    void hiddenStatesPoolerAndSentenceEmbeddingsMatchPyTorch() throws IOException {
        Bert model = Bert.fromPretrained(DIR);
        Tensor mask = Golden.get(FIX, "mask");
        try (var g = Torch.noGrad()) {
            Bert.Output out = model.call(Golden.get(FIX, "ids"), Golden.get(FIX, "token_type_ids"), mask);
            Golden.assertClose(Golden.get(FIX, "hidden"), out.lastHiddenState(), 1e-5, 1e-4, "hidden");
            Golden.assertClose(Golden.get(FIX, "pooler"), out.poolerOutput(), 1e-5, 1e-4, "pooler");
            Golden.assertClose(Golden.get(FIX, "mean"), Bert.meanPool(out.lastHiddenState(), mask), 1e-5, 1e-4, "mean");
            Golden.assertClose(Golden.get(FIX, "cls"), Bert.clsPool(out.lastHiddenState()), 1e-5, 1e-4, "cls");
        }
    }

    @Test
    void everyGradientMatchesPyTorch() throws IOException {
        Bert model = Bert.fromPretrained(DIR);
        Bert.Output out =
                model.call(Golden.get(FIX, "ids"), Golden.get(FIX, "token_type_ids"), Golden.get(FIX, "mask"));
        out.lastHiddenState()
                .mul(Golden.get(FIX, "w_hidden"))
                .sum()
                .add(out.poolerOutput().mul(Golden.get(FIX, "w_pooler")).sum())
                .backward();
        Map<String, Tensor> params = model.namedParameters();
        TreeSet<String> expected = new TreeSet<>();
        Golden.load(FIX).keySet().stream()
                .filter(k -> k.startsWith("grad."))
                .forEach(k -> expected.add(k.substring(5)));
        assertEquals(expected, new TreeSet<>(params.keySet()));
        params.forEach((name, p) -> Golden.assertClose(Golden.get(FIX, "grad." + name), p.grad(), 1e-4, 1e-3, name));
    }

    @Test
    void forwardIsTheLastHiddenStateOfOneUnpaddedSegment() throws IOException {
        Bert model = Bert.fromPretrained(DIR);
        Tensor ids = Golden.get(FIX, "ids").narrow(0, 1, 1);
        try (var g = Torch.noGrad()) {
            Golden.assertClose(model.call(ids, null, null).lastHiddenState(), model.call(ids), 0, 0, "forward = call");
        }
    }

    @Test
    void hubVariantsLoadAndSaveRoundTrips() throws IOException {
        Bert model = Bert.fromPretrained(DIR);
        Tensor ids = Golden.get(FIX, "ids");
        Tensor hidden;
        try (var g = Torch.noGrad()) {
            hidden = model.call(ids);
        }
        // BertForPreTraining-style file: bert. prefix, gamma/beta, position_ids buffer, cls head, no pooler
        Map<String, Tensor> hub = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> {
            if (!k.startsWith("pooler.")) {
                hub.put(
                        "bert."
                                + k.replace("LayerNorm.weight", "LayerNorm.gamma")
                                        .replace("LayerNorm.bias", "LayerNorm.beta"),
                        v);
            }
        });
        hub.put("bert.embeddings.position_ids", Torch.arange(20).reshape(1, 20));
        hub.put("cls.predictions.bias", Torch.zeros(40));
        Path variant = tmp.resolve("variant");
        Files.createDirectories(variant);
        Files.copy(DIR.resolve("config.json"), variant.resolve("config.json"));
        SafeTensors.write(hub, variant.resolve("model.safetensors"));
        try (var g = Torch.noGrad()) {
            Golden.assertClose(hidden, Bert.fromPretrained(variant).call(ids), 0, 0, "hub variant");
        }
        Path saved = tmp.resolve("saved");
        model.save(saved);
        Bert back = Bert.fromPretrained(saved);
        assertEquals(model.config(), back.config());
        try (var g = Torch.noGrad()) {
            Golden.assertClose(hidden, back.call(ids), 0, 0, "round trip");
        }
    }

    @Test
    void badInputIsRejectedClearly() throws IOException {
        Bert model = Bert.fromPretrained(DIR);
        var e = assertThrows(IllegalArgumentException.class, () -> model.call(Torch.tensor(new long[] {2, 40}, 1, 2)));
        assertTrue(e.getMessage().contains("token id 40") && e.getMessage().contains("vocab_size 40"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> model.call(Torch.zeros(dev.torchlet.DType.INT64, 1, 21)));
        assertTrue(
                e.getMessage().contains("21 tokens") && e.getMessage().contains("max_position_embeddings 20"),
                e.getMessage());
        Tensor ids = Torch.ones(dev.torchlet.DType.INT64, 2, 3);
        e = assertThrows(IllegalArgumentException.class, () -> model.call(ids, null, Torch.ones(2, 4)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2, 4]"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> model.call(ids, Torch.full(dev.torchlet.DType.INT64, 2, 2, 3), null));
        assertTrue(e.getMessage().contains("token id 2") && e.getMessage().contains("vocab_size 2"), e.getMessage());
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.writeString(
                bad.resolve("config.json"),
                Files.readString(DIR.resolve("config.json"))
                        .replace("\"intermediate_size\": 32", "\"intermediate_size\": 64"));
        Files.copy(DIR.resolve("model.safetensors"), bad.resolve("model.safetensors"));
        e = assertThrows(IllegalArgumentException.class, () -> Bert.fromPretrained(bad));
        String expected = "encoder.layer.0.intermediate.dense.weight: weights [32, 16] but the config gives [64, 16]";
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        // a config claiming a huge model is refused before the model is built (no 64 GB allocation)
        Files.writeString(
                bad.resolve("config.json"),
                Files.readString(DIR.resolve("config.json"))
                        .replace("\"vocab_size\": 40", "\"vocab_size\": 1000000000"));
        e = assertThrows(IllegalArgumentException.class, () -> Bert.fromPretrained(bad));
        assertTrue(e.getMessage().contains("far more than the 5744 values its weights hold"), e.getMessage());
        // the same config when only the architecture is built (Spark executors): checked against the file's size
        e = assertThrows(IllegalArgumentException.class, () -> Bert.fromConfigOf(bad));
        long bytes = Files.size(bad.resolve("model.safetensors"));
        assertTrue(
                e.getMessage().contains("far more than the " + bytes + " bytes of model.safetensors"), e.getMessage());
        Bert untrained = Bert.fromConfigOf(DIR);
        assertEquals(model.stateDict().keySet(), untrained.stateDict().keySet());
    }
}
