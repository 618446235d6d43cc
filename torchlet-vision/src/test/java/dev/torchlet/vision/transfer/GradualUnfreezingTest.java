package dev.torchlet.vision.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import dev.torchlet.optim.Adam;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.models.VisionTransformer;
import dev.torchlet.vision.transfer.GradualUnfreezing.Group;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Gradual unfreezing: the default layer groups of each family cover every parameter once, each step
 * leaves exactly the right parameters requiring grad, still-frozen batch norms stay in eval mode (their
 * statistics untouched) through train(), and an optimizer over all parameters only moves the unfrozen ones.
 */
class GradualUnfreezingTest {
    /** Parameter name -> the group holding it; fails on a parameter in no group or in two. */
    private static Map<String, String> groupOfEachParameter(Module model, List<Group> groups) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> twice = new ArrayList<>();
        for (String name : model.namedParameters().keySet()) {
            for (Group g : groups) {
                if (g.paths().stream().anyMatch(p -> name.equals(p) || name.startsWith(p + "."))) {
                    if (out.put(name, g.name()) != null) {
                        twice.add(name);
                    }
                }
            }
        }
        assertEquals(List.of(), twice, "parameters in two groups");
        TreeSet<String> missing = new TreeSet<>(model.namedParameters().keySet());
        missing.removeAll(out.keySet());
        assertEquals(new TreeSet<>(), missing, "parameters in no group");
        return out;
    }

    private static List<String> names(List<Group> groups) {
        return groups.stream().map(Group::name).toList();
    }

    private static void assertGroups(String model, List<String> expected) {
        Torch.manualSeed(0);
        Module m = Models.create(model, 10);
        List<Group> groups = LayerGroups.forZooModel(m, model);
        assertEquals(expected, names(groups), model);
        groupOfEachParameter(m, groups);
    }

    @Test
    void defaultGroupsFollowTheStagesFromTheHeadBackwards() {
        assertGroups("resnet18", List.of("fc", "layer4", "layer3", "layer2", "layer1", "conv1,bn1"));
        assertGroups(
                "mobilenet_v2",
                List.of(
                        "classifier.1",
                        "features.18",
                        "features.14-17",
                        "features.7-13",
                        "features.4-6",
                        "features.2-3",
                        "features.0-1"));
        assertGroups(
                "mobilenet_v3_small",
                List.of(
                        "classifier.3",
                        "classifier.0",
                        "features.9-12",
                        "features.4-8",
                        "features.2-3",
                        "features.1",
                        "features.0"));
        assertGroups(
                "efficientnet_b0",
                List.of(
                        "classifier.1",
                        "features.8",
                        "features.6-7",
                        "features.4-5",
                        "features.3",
                        "features.2",
                        "features.0-1"));
        assertGroups(
                "densenet121",
                List.of(
                        "classifier",
                        "features.transition3,features.denseblock4,features.norm5",
                        "features.transition2,features.denseblock3",
                        "features.transition1,features.denseblock2",
                        "features.denseblock1",
                        "features.conv0,features.norm0"));
        assertGroups(
                "convnext_tiny",
                List.of(
                        "classifier.2",
                        "classifier.0",
                        "features.6-7",
                        "features.4-5",
                        "features.2-3",
                        "features.0-1"));
        assertGroups(
                "squeezenet1_1",
                List.of(
                        "classifier.1",
                        "features.12",
                        "features.11",
                        "features.10",
                        "features.9",
                        "features.7",
                        "features.6",
                        "features.4",
                        "features.3",
                        "features.0"));
    }

    @Test
    void vggAndViTGroups() {
        assertGroups(
                "vgg11",
                List.of(
                        "classifier.6",
                        "classifier.0,classifier.3",
                        "features.15-19",
                        "features.10-14",
                        "features.5-9",
                        "features.3",
                        "features.0"));
        Torch.manualSeed(0);
        var vit = new VisionTransformer(
                VisionTransformer.Options.of(32, 8, 2, 2, 16, 32).withRepresentationSize(8));
        List<Group> groups = LayerGroups.forZooModel(vit, "vit_small");
        assertEquals(
                List.of(
                        "heads.head",
                        "heads.pre_logits",
                        "encoder.ln",
                        "encoder.layers.encoder_layer_1",
                        "encoder.layers.encoder_layer_0",
                        "conv_proj,class_token,encoder.pos_embedding"),
                names(groups));
        groupOfEachParameter(vit, groups);
        var unfreezing = new GradualUnfreezing(vit, groups, 1);
        unfreezing.step(0);
        assertFalse(vit.getParameter("class_token").requiresGrad());
        unfreezing.step(5);
        assertTrue(vit.getParameter("class_token").requiresGrad());
        assertTrue(vit.getParameter("encoder.pos_embedding").requiresGrad());
    }

    @Test
    void eachStepLeavesExactlyTheFirstGroupsTrainable() {
        Torch.manualSeed(1);
        Module model = Models.create("resnet18", 10);
        GradualUnfreezing unfreezing = GradualUnfreezing.forZooModel(model, "resnet18");
        Map<String, String> groupOf = groupOfEachParameter(model, unfreezing.groups());
        List<String> order = names(unfreezing.groups());
        for (int epoch = 0; epoch < 8; epoch++) {
            List<Group> trainable = unfreezing.step(epoch);
            int k = Math.min(6, epoch + 1);
            assertEquals(order.subList(0, k), names(trainable), "epoch " + epoch);
            for (var e : model.namedParameters().entrySet()) {
                boolean expected = order.indexOf(groupOf.get(e.getKey())) < k;
                assertEquals(expected, e.getValue().requiresGrad(), "epoch " + epoch + ": " + e.getKey());
            }
        }
        assertEquals("trainable: fc, layer4, layer3, layer2, layer1, conv1,bn1 (all groups)", unfreezing.describe());
        unfreezing.step(1); // a function of the epoch: going back refreezes
        assertEquals("trainable: fc, layer4; frozen: layer3, layer2, layer1, conv1,bn1", unfreezing.describe());
        assertFalse(model.getParameter("layer3.0.conv1.weight").requiresGrad());
        assertTrue(model.getParameter("layer4.1.bn2.bias").requiresGrad());
    }

    @Test
    void stillFrozenBatchNormsStayInEvalModeAndKeepTheirStatistics() {
        Torch.manualSeed(2);
        Module model = Models.create("resnet18", 10);
        GradualUnfreezing unfreezing = GradualUnfreezing.forZooModel(model, "resnet18");
        unfreezing.step(1); // fc, layer4
        model.train();
        assertTrue(model.getSubmodule("layer4.0.bn1").isTraining());
        for (String bn : List.of("bn1", "layer1.0.bn1", "layer2.1.bn2", "layer3.0.downsample.1")) {
            assertFalse(model.getSubmodule(bn).isTraining(), bn + " is frozen: eval mode");
        }
        Tensor frozenMean = model.getSubmodule("layer3.0.bn1").buffer("running_mean");
        Tensor liveMean = model.getSubmodule("layer4.0.bn1").buffer("running_mean");
        float[] frozenBefore = frozenMean.toFloatArray();
        float[] liveBefore = liveMean.toFloatArray();
        model.call(Torch.randn(2, 3, 32, 32)).sum().backward();
        assertArrayEquals(frozenBefore, frozenMean.toFloatArray(), 0f, "frozen statistics untouched");
        assertNotEquals(liveBefore[0], liveMean.toFloatArray()[0], "unfrozen batch norm updates its statistics");
        assertTrue(model.getParameter("layer4.0.conv1.weight").grad() != null);
        assertTrue(model.getParameter("layer3.0.conv1.weight").grad() == null, "no gradient into frozen groups");

        unfreezing.step(2); // layer3 joins, in the model's (train) mode
        assertTrue(model.getSubmodule("layer3.0.bn1").isTraining());
        model.eval();
        model.train();
        assertTrue(model.getSubmodule("layer3.0.bn1").isTraining());
        assertFalse(model.getSubmodule("layer2.0.bn1").isTraining());
    }

    @Test
    void anOptimizerOverAllParametersMovesOnlyTheUnfrozenOnes() {
        Torch.manualSeed(3);
        Module model = Models.create("resnet18", 4);
        GradualUnfreezing unfreezing = new GradualUnfreezing(model, LayerGroups.forZooModel(model, "resnet18"), 2);
        var optimizer = new Adam(model.parameters(), 1e-2);
        Tensor x = Torch.randn(2, 3, 32, 32);
        for (int epoch = 0; epoch < 3; epoch++) {
            unfreezing.step(epoch);
            model.train();
            float[] fc = model.getParameter("fc.weight").toFloatArray();
            float[] l4 = model.getParameter("layer4.1.conv2.weight").toFloatArray();
            optimizer.zeroGrad();
            model.call(x).sum().backward();
            optimizer.step();
            assertFalse(Arrays.equals(fc, model.getParameter("fc.weight").toFloatArray()));
            boolean l4Moved = !Arrays.equals(
                    l4, model.getParameter("layer4.1.conv2.weight").toFloatArray());
            assertEquals(epoch >= 2, l4Moved, "epoch " + epoch + ": layer4 joins at epoch 2 (every 2 epochs)");
        }
    }

    @Test
    void badGroupsAndArgumentsAreRefused() {
        Torch.manualSeed(4);
        Module model = Models.create("resnet18", 10);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> new GradualUnfreezing(model, List.of(new Group("head", List.of("classifier"))), 1));
        assertEquals(
                "GradualUnfreezing: group 'head': ResNet has no submodule or parameter 'classifier'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GradualUnfreezing(model, List.of(), 1));
        assertEquals("GradualUnfreezing: give at least one layer group", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new GradualUnfreezing(model, List.of(new Group("fc", List.of("fc"))), 0));
        assertEquals("GradualUnfreezing: epochsPerGroup must be at least 1, got 0", e.getMessage());
        var glob = new GradualUnfreezing(
                model, List.of(new Group("fc", List.of("fc")), new Group("late", List.of("layer4*"))), 1);
        assertEquals(List.of("fc"), names(glob.step(0)));
        e = assertThrows(IllegalArgumentException.class, () -> glob.step(-1));
        assertEquals("GradualUnfreezing: epoch must be >= 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerGroups.forZooModel(model, "not_a_model"));
        assertTrue(e.getMessage().contains("no known head for model 'not_a_model'"), e.getMessage());
    }
}
