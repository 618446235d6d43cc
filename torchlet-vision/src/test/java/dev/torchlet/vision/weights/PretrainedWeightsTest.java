package dev.torchlet.vision.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Sequential;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainedWeightsTest {
    @TempDir
    Path tmp;

    @Test
    void registryHasTorchvisionsWeightsAndClassNames() {
        WeightSpec r18 = WeightRegistry.defaultFor("resnet18");
        assertEquals("IMAGENET1K_V1", r18.tag());
        assertEquals("resnet18-f37072fd.pth", r18.fileName());
        assertEquals("f37072fd", r18.sha256Prefix());
        assertEquals(11689512, r18.numParams());
        assertEquals(Preprocessing.imagenet(224), r18.preprocessing());
        assertEquals("IMAGENET1K_V2", WeightRegistry.defaultFor("resnet50").tag());
        assertEquals(
                232,
                WeightRegistry.find("resnet50", "IMAGENET1K_V2").preprocessing().resize());
        assertEquals(2, WeightRegistry.forModel("resnet50").size());
        assertEquals(1000, WeightRegistry.imagenetClasses().size());
        assertEquals("tench", WeightRegistry.imagenetClasses().get(0));
        assertEquals("toilet tissue", WeightRegistry.imagenetClasses().get(999));
        var e = assertThrows(IllegalArgumentException.class, () -> WeightRegistry.find("resnet18", "V9"));
        assertTrue(e.getMessage().contains("tags: [IMAGENET1K_V1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WeightRegistry.defaultFor("nope"));
    }

    @Test
    void lookupPrefersTheFirstDirectoryThatHasTheFile() throws IOException {
        WeightSpec spec = WeightRegistry.defaultFor("resnet18");
        Path torchHub = Files.createDirectories(tmp.resolve("torch/hub/checkpoints"));
        Path torchlet = Files.createDirectories(tmp.resolve("torchlet/weights"));
        assertTrue(PretrainedWeights.locate(spec, List.of(torchHub, torchlet)).isEmpty());
        Files.writeString(torchlet.resolve(spec.fileName()), "x");
        assertEquals(
                torchlet.resolve(spec.fileName()),
                PretrainedWeights.locate(spec, List.of(torchHub, torchlet)).orElseThrow());
        Files.writeString(torchHub.resolve(spec.fileName()), "y");
        assertEquals(
                torchHub.resolve(spec.fileName()),
                PretrainedWeights.locate(spec, List.of(torchHub, torchlet)).orElseThrow());
        var e = assertThrows(
                FileNotFoundException.class, () -> PretrainedWeights.resolve(spec, tmp.resolve("missing.pth"), false));
        assertTrue(e.getMessage().contains("missing.pth"), e.getMessage());
    }

    @Test
    void downloadIsHashCheckedAndAtomic() throws Exception {
        byte[] good = "pretend these are weights".getBytes();
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(good));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/w.pth", ex -> {
            ex.sendResponseHeaders(200, good.length);
            ex.getResponseBody().write(good);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/w.pth";
            WeightSpec ok = spec(url, "w-" + sha.substring(0, 8) + ".pth", sha.substring(0, 8));
            Path file = PretrainedWeights.download(ok, tmp.resolve("cache"));
            assertArrayEquals(good, Files.readAllBytes(file));
            PretrainedWeights.verify(ok, file);

            WeightSpec bad = spec(url, "w-00000000.pth", "00000000");
            var e = assertThrows(IOException.class, () -> PretrainedWeights.download(bad, tmp.resolve("cache")));
            assertTrue(e.getMessage().contains("expected one starting with 00000000"), e.getMessage());
            try (var files = Files.list(tmp.resolve("cache"))) {
                assertEquals(
                        List.of(file.getFileName().toString()),
                        files.map(p -> p.getFileName().toString()).toList(),
                        "no partial file is left");
            }
            assertThrows(IOException.class, () -> PretrainedWeights.verify(bad, file));
            WeightSpec missing = spec(url.replace("w.pth", "gone.pth"), "gone.pth", "");
            var e404 = assertThrows(IOException.class, () -> PretrainedWeights.download(missing, tmp));
            assertTrue(e404.getMessage().contains("HTTP 404"), e404.getMessage());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void loadingAFileOfAnotherShapeLeavesTheModelUntouched() throws IOException {
        Torch.manualSeed(0);
        Sequential model = new Sequential(new Linear(4, 3));
        float[] before = model.getParameter("0.weight").toFloatArray();
        Map<String, Tensor> other = new LinkedHashMap<>();
        other.put("0.weight", Torch.zeros(5, 4));
        other.put("0.bias", Torch.zeros(5));
        Path file = tmp.resolve("other.safetensors");
        SafeTensors.write(other, file);
        var e = assertThrows(IllegalArgumentException.class, () -> PretrainedWeights.load(model, file, null));
        assertTrue(e.getMessage().contains("size mismatch for 0.weight"), e.getMessage());
        assertArrayEquals(before, model.getParameter("0.weight").toFloatArray(), 0f);

        Map<String, Tensor> same = new LinkedHashMap<>(model.stateDict());
        same.replaceAll((k, v) -> Torch.ones(v.shape()));
        SafeTensors.write(same, file);
        PretrainedWeights.load(model, file, null);
        assertArrayEquals(new float[] {1, 1, 1}, model.getParameter("0.bias").toFloatArray(), 0f);
    }

    private static WeightSpec spec(String url, String file, String prefix) {
        return new WeightSpec(
                "test", "V1", url, file, prefix, 0, Double.NaN, Double.NaN, Preprocessing.imagenet(224), true);
    }

    @Test
    void olderTorchvisionFilesLoadAsInPyTorch() throws IOException {
        Torch.manualSeed(0);
        var model = dev.torchlet.vision.models.Models.create("densenet121", 10);
        Map<String, Tensor> saved = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> {
            if (!k.endsWith("num_batches_tracked")) { // files saved before PyTorch 0.4.1 have no counters
                saved.put(k.replace("denselayer1.norm1.", "denselayer1.norm.1."), v);
            }
        });
        Path file = tmp.resolve("densenet121-old.pth");
        dev.torchlet.io.PyTorchCheckpoint.write(saved, file);
        var fresh = dev.torchlet.vision.models.Models.create("densenet121", 10);
        PretrainedWeights.load(fresh, file, null);
        assertArrayEquals(
                model.getParameter("features.denseblock1.denselayer1.norm1.weight")
                        .toFloatArray(),
                fresh.getParameter("features.denseblock1.denselayer1.norm1.weight")
                        .toFloatArray(),
                0f);
    }
}
