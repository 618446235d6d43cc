package dev.torchlet.optim;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers: parameter groups with per-group options, per-parameter state tensors,
 * {@link #zeroGrad()}, and a state dict of tensors (so it saves into safetensors checkpoints).
 * Parameters must be contiguous float32 leaves (as Module registers them); updates run in place
 * on their storage, in float32 like PyTorch's.
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups;
    private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();

    protected Optimizer(List<ParamGroup> groups, Map<String, Double> defaults) {
        if (groups.stream().allMatch(g -> g.params().isEmpty())) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": got an empty parameter list");
        }
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (ParamGroup g : groups) {
            defaults.forEach(g.options()::putIfAbsent);
            for (Tensor p : g.params()) {
                if (seen.put(p, Boolean.TRUE) != null) {
                    throw new IllegalArgumentException(
                            getClass().getSimpleName() + ": a parameter appears in more than one parameter group");
                }
                if (p.dtype() != DType.FLOAT32 || !p.isContiguous() || p.offset() != 0 || !p.isLeaf()) {
                    throw new IllegalArgumentException(getClass().getSimpleName() + ": parameters must be contiguous "
                            + "float32 leaf tensors, got " + p.dtype() + " " + Shape.str(TensorInternals.shapeRef(p)));
                }
            }
        }
        for (var e : defaults.entrySet()) {
            for (ParamGroup g : groups) {
                validate(e.getKey(), g.get(e.getKey()));
            }
        }
        this.groups = List.copyOf(groups);
    }

    /** One group holding all params. */
    protected static List<ParamGroup> single(List<Tensor> params) {
        return List.of(ParamGroup.of(params));
    }

    /** Rejects nonsense option values with a message naming the optimizer, option and value. */
    protected void validate(String option, double value) {
        boolean ok = switch (option) {
            case "lr", "weight_decay", "momentum", "eps", "lr_decay", "initial_accumulator_value", "dampening" ->
                value >= 0;
            case "beta1", "beta2", "alpha" -> value >= 0 && value < 1;
            default -> true;
        };
        if (!ok || Double.isNaN(value)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid " + option + " value: " + value);
        }
    }

    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        try (var ignored = Torch.noGrad()) {
            for (ParamGroup g : groups) {
                for (Tensor p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) {
                        continue;
                    }
                    Tensor gc = grad.to(DType.FLOAT32).contiguous();
                    TensorInternals.storage(p).bumpVersion();
                    update(
                            g,
                            TensorInternals.storage(p).floats(),
                            TensorInternals.storage(gc).floats(),
                            gc.offset(),
                            stateOf(p),
                            p.numel());
                }
            }
        }
    }

    /**
     * Updates one parameter in place: {@code param[0..n)} with gradient {@code grad[gOff..gOff+n)}.
     * {@code state} holds this parameter's buffers (created lazily via {@link #buffer}).
     */
    protected abstract void update(
            ParamGroup group, float[] param, float[] grad, int gOff, Map<String, Tensor> state, int n);

    private Map<String, Tensor> stateOf(Tensor p) {
        return state.computeIfAbsent(p, k -> new LinkedHashMap<>());
    }

    /** A float32 state buffer shaped like n elements, created zero-filled (or by fill) on first use. */
    protected static float[] buffer(Map<String, Tensor> state, String name, int n, float initial) {
        Tensor t = state.get(name);
        if (t == null) {
            t = Torch.full(initial, n);
            state.put(name, t);
        }
        return TensorInternals.storage(t).floats();
    }

    /** True if a buffer exists already (e.g. SGD's momentum buffer on the first step). */
    protected static boolean hasBuffer(Map<String, Tensor> state, String name) {
        return state.containsKey(name);
    }

    /** Increments and returns the step counter of one parameter (kept as a float64 scalar tensor). */
    protected static long nextStep(Map<String, Tensor> state) {
        Tensor t = state.computeIfAbsent("step", k -> Torch.zeros(DType.FLOAT64));
        double s = TensorInternals.storage(t).doubles()[0] + 1;
        TensorInternals.storage(t).doubles()[0] = s;
        return (long) s;
    }

    /** Clears every parameter's gradient (PyTorch's set_to_none=True default). */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                p.setGrad(null);
            }
        }
    }

    /**
     * The state as tensors: {@code state.<i>.<buffer>} for parameter i (counted over all groups in
     * order) and {@code param_groups.<g>.<option>} as float64 scalars.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int index = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            for (var o : g.options().entrySet()) {
                out.put("param_groups." + gi + "." + o.getKey(), Torch.full(DType.FLOAT64, o.getValue()));
            }
            for (Tensor p : g.params()) {
                Map<String, Tensor> s = state.get(p);
                if (s != null) {
                    for (var e : s.entrySet()) {
                        out.put(
                                "state." + index + "." + e.getKey(),
                                e.getValue().clone());
                    }
                }
                index++;
            }
        }
        return out;
    }

    /** Restores a state dict from {@link #stateDict()} of an optimizer over the same parameters. */
    public void loadStateDict(Map<String, Tensor> dict) {
        List<Tensor> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.params()));
        Map<Tensor, Map<String, Tensor>> restored = new IdentityHashMap<>();
        List<Map<String, Double>> options = new ArrayList<>();
        groups.forEach(g -> options.add(new LinkedHashMap<>(g.options())));
        for (var e : dict.entrySet()) {
            String[] parts = e.getKey().split("\\.", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("optimizer loadStateDict: unexpected key '" + e.getKey() + "'");
            }
            int i = parseIndex(e.getKey(), parts[1]);
            switch (parts[0]) {
                case "state" -> {
                    if (i >= all.size()) {
                        throw new IllegalArgumentException("optimizer loadStateDict: state for parameter " + i
                                + " but the optimizer has " + all.size() + " parameters");
                    }
                    Tensor p = all.get(i);
                    Tensor v = e.getValue();
                    if (!parts[2].equals("step") && v.numel() != p.numel()) {
                        throw new IllegalArgumentException("optimizer loadStateDict: '" + e.getKey() + "' has "
                                + v.numel() + " elements but parameter " + i + " has " + p.numel());
                    }
                    Tensor copy = parts[2].equals("step")
                            ? v.to(DType.FLOAT64).clone().reshape()
                            : v.to(DType.FLOAT32).clone().reshape(p.numel());
                    restored.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(parts[2], copy);
                }
                case "param_groups" -> {
                    if (i >= groups.size()) {
                        throw new IllegalArgumentException("optimizer loadStateDict: options for group " + i
                                + " but the optimizer has " + groups.size() + " groups");
                    }
                    options.get(i).put(parts[2], e.getValue().itemDouble());
                }
                default ->
                    throw new IllegalArgumentException("optimizer loadStateDict: unexpected key '" + e.getKey() + "'");
            }
        }
        state.clear();
        state.putAll(restored);
        for (int gi = 0; gi < groups.size(); gi++) {
            groups.get(gi).options().putAll(options.get(gi));
        }
    }

    private static int parseIndex(String key, String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("optimizer loadStateDict: bad index in key '" + key + "'");
        }
    }
}
