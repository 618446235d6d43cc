package dev.torchlet.vision.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.PyTorchCheckpoint;
import dev.torchlet.nn.Module;
import dev.torchlet.testing.Golden;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transfer-learning path with real files: torchvision's squeezenet1_1(num_classes=10) with its own
 * random init (seed 0), saved by torch.save in the zip and the legacy format
 * (tools/golden/gen_vision_classic.py), read with PyTorchCheckpoint, loaded with loadStateDict, and
 * compared with PyTorch's eval-mode logits on a fixed input.
 */
class SqueezeNetCheckpointTest {
    private static final String ZIP = "squeezenet1_1_10.pt";
    private static final String LEGACY = "squeezenet1_1_10_legacy.pt";

    private static Map<String, Tensor> read(String file) throws IOException, URISyntaxException {
        var url = SqueezeNetCheckpointTest.class.getResource("/checkpoints/" + file);
        if (url == null) {
            throw new IllegalStateException("missing checkpoints/" + file + ": run tools/golden/gen_vision_classic.py");
        }
        return PyTorchCheckpoint.read(Path.of(url.toURI()));
    }

    @ParameterizedTest
    @ValueSource(strings = {ZIP, LEGACY})
    void torchSavedStateDictGivesPyTorchsLogits(String file) throws Exception {
        Map<String, Tensor> state = read(file);
        Module model = Models.create("squeezenet1_1", 10);
        assertEquals(new ArrayList<>(model.stateDict().keySet()), new ArrayList<>(state.keySet()), "keys in order");
        model.loadStateDict(state);
        model.eval();
        Map<String, Tensor> f = Golden.load("vision_squeezenet1_1_checkpoint");
        Tensor logits;
        try (var g = Torch.noGrad()) {
            logits = model.call(f.get("input"));
        }
        ZooParity.assertClose(file + " logits", f.get("logits"), logits);
    }

    @Test
    void resnetShapedStateDictIsRefusedAndChangesNothing() throws Exception {
        Module model = Models.create("squeezenet1_1", 10);
        var before = ClassicFamilyChecks.snapshot(model);
        Map<String, Tensor> resnet = new LinkedHashMap<>();
        resnet.put("conv1.weight", Torch.zeros(64, 3, 7, 7));
        resnet.put("bn1.weight", Torch.ones(64));
        resnet.put("bn1.bias", Torch.zeros(64));
        resnet.put("layer1.0.conv1.weight", Torch.zeros(64, 64, 3, 3));
        resnet.put("fc.weight", Torch.zeros(10, 512));
        resnet.put("fc.bias", Torch.zeros(10));
        var e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(resnet));
        String msg = e.getMessage();
        List<String> own = new ArrayList<>(model.stateDict().keySet());
        assertTrue(msg.contains("missing keys: " + own), msg);
        assertTrue(msg.contains("unexpected keys: " + new ArrayList<>(resnet.keySet())), msg);
        ClassicFamilyChecks.assertUnchanged(before, model);
    }

    @Test
    void misShapedStateDictIsRefusedAndChangesNothing() throws Exception {
        Module model = Models.create("squeezenet1_1", 10);
        var before = ClassicFamilyChecks.snapshot(model);
        Map<String, Tensor> state = new LinkedHashMap<>(read(ZIP));
        state.put("classifier.1.weight", Torch.zeros(1000, 512, 1, 1)); // an ImageNet head
        state.put("classifier.1.bias", Torch.zeros(1000));
        state.remove("features.3.squeeze.bias");
        state.put("features.3.squeeze.bias_old", Torch.zeros(16));
        var e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
        String msg = e.getMessage();
        assertTrue(msg.contains("missing keys: [features.3.squeeze.bias]"), msg);
        assertTrue(msg.contains("unexpected keys: [features.3.squeeze.bias_old]"), msg);
        assertTrue(
                msg.contains("size mismatch for classifier.1.weight: checkpoint [1000, 512, 1, 1]"
                        + " vs model [10, 512, 1, 1]"),
                msg);
        assertTrue(msg.contains("size mismatch for classifier.1.bias: checkpoint [1000] vs model [10]"), msg);
        ClassicFamilyChecks.assertUnchanged(before, model);
    }

    @Test
    void pretrainedFeaturesUnderANewHead() throws Exception {
        // the fine-tuning recipe: load everything but the head (non-strict), then train the new head
        Map<String, Tensor> state = new LinkedHashMap<>(read(LEGACY));
        state.remove("classifier.1.weight");
        state.remove("classifier.1.bias");
        Module model = Models.create("squeezenet1_1", 3);
        Module.LoadResult r = model.loadStateDict(state, false);
        assertEquals(List.of("classifier.1.weight", "classifier.1.bias"), r.missingKeys());
        assertEquals(List.of(), r.unexpectedKeys());
        ZooParity.assertClose(
                "features.12.expand3x3.weight",
                state.get("features.12.expand3x3.weight"),
                model.getParameter("features.12.expand3x3.weight"));
    }
}
