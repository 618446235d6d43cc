package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.ops.Assign;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Base class of all layers and models, like {@code torch.nn.Module}.
 *
 * <p>A module registers its parameters, buffers and child modules explicitly, in declaration
 * order, so names come out as PyTorch's ({@code layer1.0.conv1.weight}). Subclasses implement
 * {@link #forward}; parents call children through {@link #call}, which also runs forward hooks
 * (feature extraction uses them).
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final List<ForwardPreHook> preHooks = new ArrayList<>();
    private final List<ForwardHook> hooks = new ArrayList<>();
    private boolean training = true;

    /** The computation: input to output. */
    public abstract Tensor forward(Tensor input);

    /** Runs pre-hooks, forward and hooks; use this to call child modules. */
    public final Tensor call(Tensor input) {
        Tensor x = input;
        for (ForwardPreHook h : List.copyOf(preHooks)) {
            Tensor replaced = h.apply(this, x);
            if (replaced != null) {
                x = replaced;
            }
        }
        Tensor out = forward(x);
        for (ForwardHook h : List.copyOf(hooks)) {
            Tensor replaced = h.apply(this, x, out);
            if (replaced != null) {
                out = replaced;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- registration

    /** Registers a parameter (null allowed, e.g. a disabled bias); it becomes a leaf requiring grad. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        Tensor p = null;
        if (value != null) {
            p = value.isLeaf() && value.isContiguous() && value.offset() == 0
                    && value.storage().length() == value.numel() ? value : value.detach().contiguousCopy();
            if (!p.requiresGrad()) {
                p.requiresGrad(true);
            }
        }
        parameters.put(name, p);
        return p;
    }

    /** Registers a buffer: state saved in the state dict but not trained (e.g. BatchNorm's running mean). */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value == null ? null : value.detach().contiguousCopy());
        return buffers.get(name);
    }

    /** Registers a child module under a name (its parameters appear as {@code name.param}). */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid name '" + name
                    + "' (must be non-empty without '.')");
        }
        int uses = (parameters.containsKey(name) ? 1 : 0) + (buffers.containsKey(name) ? 1 : 0)
                + (children.containsKey(name) ? 1 : 0);
        if (uses > 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already used");
        }
    }

    /**
     * Replaces a registered child (e.g. a new classification head), keeping its position in the
     * state dict. The forward of this module sees the new child only if it looks children up with
     * {@link #child(String)} rather than through a field captured at construction (the zoo models do).
     */
    public void replaceModule(String name, Module module) {
        if (!children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no child module named '" + name
                    + "' (children: " + children.keySet() + ")");
        }
        children.put(name, module);
    }

    /** Replaces a registered parameter's tensor. */
    protected final void setParameter(String name, Tensor value) {
        if (!parameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter named '" + name + "'");
        }
        parameters.remove(name);
        Map<String, Tensor> rest = new LinkedHashMap<>(parameters);
        parameters.clear();
        registerParameter(name, value);
        rest.forEach(parameters::putIfAbsent);
    }

    /** A registered child module by name. */
    public Module child(String name) {
        Module m = children.get(name);
        if (m == null && !children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no child module named '" + name
                    + "' (children: " + children.keySet() + ")");
        }
        return m;
    }

    /** A registered parameter of this module (not of children), or null. */
    public Tensor parameter(String name) {
        return parameters.get(name);
    }

    /** A registered buffer of this module (not of children), or null. */
    public Tensor buffer(String name) {
        return buffers.get(name);
    }

    // ---------------------------------------------------------------- traversal

    /** Direct children, in registration order. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    public List<Module> children() {
        return List.copyOf(children.values());
    }

    /** This module ("") and all descendants with dotted names, depth first, like PyTorch. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        children.forEach((name, child) -> {
            if (child != null) {
                child.collectModules(prefix.isEmpty() ? name : prefix + "." + name, out);
            }
        });
    }

    /** All parameters (skipping null ones) with dotted names, each tensor once. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        java.util.IdentityHashMap<Tensor, Boolean> seen = new java.util.IdentityHashMap<>();
        namedModules().forEach((prefix, m) -> m.parameters.forEach((name, p) -> {
            if (p != null && seen.put(p, Boolean.TRUE) == null) {
                out.put(prefix.isEmpty() ? name : prefix + "." + name, p);
            }
        }));
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedModules().forEach((prefix, m) -> m.buffers.forEach((name, b) -> {
            if (b != null) {
                out.put(prefix.isEmpty() ? name : prefix + "." + name, b);
            }
        }));
        return out;
    }

    /** Parameters and buffers by dotted name, in PyTorch's order (per module: parameters, then buffers). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedModules().forEach((prefix, m) -> {
            String p = prefix.isEmpty() ? "" : prefix + ".";
            m.parameters.forEach((name, t) -> {
                if (t != null) {
                    out.put(p + name, t.detach());
                }
            });
            m.buffers.forEach((name, t) -> {
                if (t != null) {
                    out.put(p + name, t.detach());
                }
            });
        });
        return out;
    }

    /** Strict load: every key must match by name and shape; on any mismatch nothing is changed. */
    public void loadStateDict(Map<String, Tensor> state) {
        LoadResult r = loadStateDict(state, true);
        assert r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty();
    }

    /** Missing and unexpected keys of a non-strict load. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /**
     * Copies values into this module's parameters and buffers (in place, so optimizers keep their
     * references). Shapes must always match. Strict: missing or unexpected keys are errors.
     * Validation happens before any copy, so a failed load leaves the module unchanged.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor v = state.get(e.getKey());
            if (v == null) {
                missing.add(e.getKey());
            } else if (!java.util.Arrays.equals(v.shapeRef(), e.getValue().shapeRef())) {
                mismatched.add(e.getKey() + ": checkpoint " + Shape.str(v.shapeRef()) + " vs model "
                        + Shape.str(e.getValue().shapeRef()));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!mismatched.isEmpty() || strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            StringBuilder msg = new StringBuilder("loadStateDict: error(s) loading into "
                    + getClass().getSimpleName() + ":");
            if (!missing.isEmpty()) {
                msg.append("\n  missing keys: ").append(missing);
            }
            if (!unexpected.isEmpty()) {
                msg.append("\n  unexpected keys: ").append(unexpected);
            }
            for (String m : mismatched) {
                msg.append("\n  size mismatch for ").append(m);
            }
            throw new IllegalArgumentException(msg.toString());
        }
        for (var e : own.entrySet()) {
            Tensor v = state.get(e.getKey());
            if (v != null) {
                Assign.copyInto(e.getValue(), v);
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ---------------------------------------------------------------- modes and gradients

    /** Training mode (dropout active, batch norm uses batch statistics), recursively. */
    public Module train() {
        return train(true);
    }

    public Module train(boolean mode) {
        namedModules().values().forEach(m -> m.training = mode);
        return this;
    }

    /** Evaluation mode, recursively. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears the gradients of all parameters. */
    public void zeroGrad() {
        for (Tensor p : parameters()) {
            p.setGrad(null);
        }
    }

    /** Freezes (false) or unfreezes (true) every parameter. */
    public Module requiresGrad(boolean value) {
        for (Tensor p : parameters()) {
            p.requiresGrad(value);
        }
        return this;
    }

    /** Calls fn on every module (children first, then this), like PyTorch's apply. */
    public Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) {
            if (c != null) {
                c.apply(fn);
            }
        }
        fn.accept(this);
        return this;
    }

    // ---------------------------------------------------------------- hooks

    /** Called before forward with the input; may return a replacement input (or null). */
    @FunctionalInterface
    public interface ForwardPreHook {
        Tensor apply(Module module, Tensor input);
    }

    /** Called after forward with input and output; may return a replacement output (or null). */
    @FunctionalInterface
    public interface ForwardHook {
        Tensor apply(Module module, Tensor input, Tensor output);
    }

    /** A handle that removes its hook. */
    @FunctionalInterface
    public interface HookHandle extends AutoCloseable {
        void remove();

        @Override
        default void close() {
            remove();
        }
    }

    public HookHandle registerForwardPreHook(ForwardPreHook hook) {
        preHooks.add(hook);
        return () -> preHooks.remove(hook);
    }

    public HookHandle registerForwardHook(ForwardHook hook) {
        hooks.add(hook);
        return () -> hooks.remove(hook);
    }

    // ---------------------------------------------------------------- printing

    /** One line of this module's own settings, as in PyTorch's {@code extra_repr}, e.g. "in_features=4, ...". */
    protected String extraRepr() {
        return "";
    }

    /** The module tree, printed like PyTorch's {@code print(model)}. */
    @Override
    public String toString() {
        String name = getClass().getSimpleName();
        if (children.isEmpty()) {
            return name + "(" + extraRepr() + ")";
        }
        StringBuilder sb = new StringBuilder(name).append("(");
        String extra = extraRepr();
        if (!extra.isEmpty()) {
            sb.append("\n  ").append(extra);
        }
        children.forEach((childName, child) -> {
            String body = String.valueOf(child).replace("\n", "\n  ");
            sb.append("\n  (").append(childName).append("): ").append(body);
        });
        return sb.append("\n)").toString();
    }
}
