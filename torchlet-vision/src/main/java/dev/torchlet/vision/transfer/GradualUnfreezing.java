package dev.torchlet.vision.transfer;

import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradual unfreezing for fine-tuning (Howard and Ruder, 2018, ULMFiT): the model's layer groups,
 * ordered from the head backwards, are made trainable one more at a time, so the new head learns
 * first and the general, early layers are disturbed last. {@link #step(int) step(epoch)}, called at
 * the start of each epoch, leaves the first {@code min(groups, 1 + epoch / epochsPerGroup)} groups
 * trainable and the others frozen, through {@link Module#freeze} and {@link Module#unfreeze}: frozen
 * parameters stop requiring grad and frozen batch-norm layers stay in eval mode (their running
 * statistics untouched) even after {@code model.train()}; an unfrozen batch norm follows the model's
 * mode again. For resnet18 with the default groups ({@link LayerGroups#forZooModel}):
 *
 * <pre>
 *   var unfreezing = GradualUnfreezing.forZooModel(model, "resnet18");  // fc | layer4 | layer3 | ... | conv1,bn1
 *   var optimizer = new Adam(model.parameters(), 1e-4);   // all parameters: frozen ones have no gradient
 *   for (int epoch = 0; epoch &lt; 6; epoch++) {
 *       unfreezing.step(epoch);                            // epoch 0: fc; epoch 1: fc, layer4; ...
 *       model.train();
 *       ...
 *   }
 * </pre>
 *
 * Give the optimizer every parameter that will be unfrozen (optimizers skip parameters without a
 * gradient). step is a function of the epoch alone, so a resumed run can call it with its epoch.
 * Parameters in no group are left as they are. Deviation from ULMFiT: no discriminative learning
 * rates per group here (use parameter groups of the optimizer for that).
 */
public final class GradualUnfreezing {
    /**
     * A layer group: a name to print and the submodule or parameter paths (or globs) it holds.
     *
     * @param name  e.g. "layer4", "features.14-17"
     * @param paths dotted paths or globs as {@link Module#freeze} takes them
     */
    public record Group(String name, List<String> paths) {
        public Group {
            paths = List.copyOf(paths);
            if (paths.isEmpty()) {
                throw new IllegalArgumentException("GradualUnfreezing: group '" + name + "' has no paths");
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final Module model;
    private final List<Group> groups;
    private final int epochsPerGroup;
    private int trainable;

    /**
     * @param model          the model whose groups are frozen and unfrozen
     * @param groups         layer groups from the head backwards; exact paths must exist in the model
     * @param epochsPerGroup epochs between two unfreezings, at least 1 (ULMFiT: 1)
     */
    public GradualUnfreezing(Module model, List<Group> groups, int epochsPerGroup) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("GradualUnfreezing: give at least one layer group");
        }
        if (epochsPerGroup < 1) {
            throw new IllegalArgumentException(
                    "GradualUnfreezing: epochsPerGroup must be at least 1, got " + epochsPerGroup);
        }
        var modules = model.namedModules();
        var params = model.namedParameters();
        for (Group g : groups) {
            for (String p : g.paths()) {
                boolean glob = p.contains("*") || p.contains("?");
                if (!glob && !modules.containsKey(p) && !params.containsKey(p)) {
                    throw new IllegalArgumentException("GradualUnfreezing: group '" + g.name() + "': "
                            + model.getClass().getSimpleName() + " has no submodule or parameter '" + p + "'");
                }
            }
        }
        this.model = model;
        this.groups = List.copyOf(groups);
        this.epochsPerGroup = epochsPerGroup;
    }

    /** One group unfrozen per epoch, over the zoo model's default groups ({@link LayerGroups#forZooModel}). */
    public static GradualUnfreezing forZooModel(Module model, String name) {
        return new GradualUnfreezing(model, LayerGroups.forZooModel(model, name), 1);
    }

    /**
     * Makes the groups of this epoch trainable and freezes the rest; returns the trainable groups.
     *
     * @param epoch 0 for the first epoch: only the first group (the head) is trainable
     */
    public List<Group> step(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("GradualUnfreezing: epoch must be >= 0, got " + epoch);
        }
        trainable = Math.min(groups.size(), 1 + epoch / epochsPerGroup);
        List<String> freeze = paths(groups.subList(trainable, groups.size()));
        if (!freeze.isEmpty()) {
            model.freeze(freeze.toArray(String[]::new));
        }
        model.unfreeze(paths(groups.subList(0, trainable)).toArray(String[]::new)); // after: overlaps end trainable
        return trainable();
    }

    private static List<String> paths(List<Group> gs) {
        List<String> out = new ArrayList<>();
        gs.forEach(g -> out.addAll(g.paths()));
        return out;
    }

    /** All groups, head first. */
    public List<Group> groups() {
        return groups;
    }

    /** The groups made trainable by the last step (none before the first). */
    public List<Group> trainable() {
        return groups.subList(0, trainable);
    }

    /** The groups still frozen after the last step (all before the first). */
    public List<Group> frozen() {
        return groups.subList(trainable, groups.size());
    }

    public int epochsPerGroup() {
        return epochsPerGroup;
    }

    /** "trainable: fc, layer4; frozen: layer3, layer2, layer1, conv1,bn1" (the state after the last step). */
    public String describe() {
        String s = "trainable: "
                + String.join(", ", trainable().stream().map(Group::name).toList());
        List<Group> f = frozen();
        return f.isEmpty()
                ? s + " (all groups)"
                : s + "; frozen: "
                        + String.join(", ", f.stream().map(Group::name).toList());
    }
}
