package dev.torchlet.nn;

import dev.torchlet.InferenceMode;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Base class of all layers, losses and models, like {@code torch.nn.Module}.
 *
 * <p><b>Run a module with {@link #call(Tensor)}</b> (PyTorch's {@code module(x)}); <b>implement
 * {@link #forward(Tensor)}</b>. {@code call} runs the forward hooks around {@code forward}, so
 * feature extraction, explanations and user hooks see every call; calling {@code forward}
 * directly skips this module's hooks. Modules with several inputs or outputs (attention,
 * recurrent and Transformer layers, losses) have {@code call(...)} overloads that go through
 * the same hooks ({@link #callWithHooks}). Every library module calls its children through
 * {@code call}; a test scans the sources for direct {@code forward} calls.
 *
 * <p>A module registers its parameters, buffers and child modules explicitly, in declaration
 * order, so names come out as PyTorch's ({@code layer1.0.conv1.weight}). Library modules look
 * their children up by name at every call ({@link #child(String)}) instead of keeping them in
 * fields, so {@link #replaceModule(String, Module)} takes effect everywhere.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private volatile int hooksEpoch = -1; // the ForwardHooks epoch subtreeHooks was computed at
    private volatile boolean subtreeHooks;
    /** Children a replacement must be an instance of (e.g. a Transformer layer's self_attn). */
    private final Map<String, Class<?>> requiredChildTypes = new HashMap<>();
    /**
     * Tensors computed from parameters before each call, e.g. spectral norm's {@code weight} from
     * {@code weight_orig}: {@link #parameter(String)} returns them, the state dict does not hold them.
     */
    private final Map<String, Tensor> computed = new HashMap<>();
    /** Re-parametrizations made through the public {@link #reparametrize(String, String, Map, Function)}. */
    private final Map<String, Reparametrization> reparametrizations = new LinkedHashMap<>();

    private record Reparametrization(
            String suffix, List<String> bufferNames, Function<Module, Tensor> compute, HookHandle hook) {}

    private final ForwardHooks forwardHooks = new ForwardHooks();
    private boolean training = true;
    private boolean frozen;

    /**
     * The computation: input to output. Implement it; to run a module, use {@link #call(Tensor)},
     * which also runs the forward hooks.
     */
    public abstract Tensor forward(Tensor input);

    /** Runs the module: pre-hooks, {@link #forward(Tensor)}, then hooks (PyTorch's {@code module(x)}). */
    public final Tensor call(Tensor input) {
        if (forwardHooks.isEmpty()) {
            return forward(input);
        }
        return forwardHooks.run(this, new Object[] {input}, args -> forward((Tensor) args[0]));
    }

    /**
     * Runs a forward with several inputs (or a {@link ForwardResult} output) through this module's
     * hooks; the {@code call(...)} overloads of multi-input modules are one line of this. Pre-hooks
     * see and may replace the first input; hooks see all inputs and the output.
     *
     * @param forward the computation on the (possibly replaced) inputs
     * @param args    the inputs, in the order of the forward's parameters (nulls allowed)
     */
    protected final <R> R callWithHooks(Function<Object[], R> forward, Object... args) {
        if (forwardHooks.isEmpty()) {
            return forward.apply(args);
        }
        return forwardHooks.run(this, args, forward);
    }

    // ---------------------------------------------------------------- registration

    /** Registers a parameter (null allowed, e.g. a disabled bias); it becomes a leaf requiring grad. */
    protected final Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        Tensor p = asParameter(value);
        parameters.put(name, p);
        return p;
    }

    /** A leaf with its own dense storage that requires grad: the value itself when it already is one. */
    private static Tensor asParameter(Tensor value) {
        if (value == null) {
            return null;
        }
        Tensor p = value.isLeaf() && value.isDense() ? value : value.detach().contiguousCopy();
        if (!p.requiresGrad()) {
            p.requiresGrad(true);
        }
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
        ForwardHooks.changed();
        return module;
    }

    /**
     * Registers a child that any replacement must also be an instance of {@code requiredType}, because
     * this module calls more than its single-input {@code call} on it (e.g. attention with masks).
     */
    protected final <M extends Module> M registerModule(String name, M module, Class<? super M> requiredType) {
        registerModule(name, module);
        requiredChildTypes.put(name, requiredType);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + ": invalid name '" + name + "' (must be non-empty without '.')");
        }
        if (parameters.containsKey(name)
                || buffers.containsKey(name)
                || children.containsKey(name)
                || computed.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already used");
        }
    }

    /**
     * Replaces a registered parameter's tensor, keeping its place in the state dict (e.g. weight
     * tying or pruning re-parametrization).
     */
    protected final void setParameter(String name, Tensor value) {
        if (!parameters.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter named '" + name
                    + "' (parameters: " + parameters.keySet() + ")");
        }
        parameters.put(name, asParameter(value)); // LinkedHashMap: an existing key keeps its position
    }

    // ---------------------------------------------------------------- module paths

    /**
     * Replaces the submodule at a dotted path ("fc", "classifier.1", "layer4.1.conv2") with another
     * module, keeping its place in the state dict; the owner's forward uses the new one from the next
     * call on. Fails, changing nothing, on an unknown path or a replacement of the wrong type.
     */
    public void replaceModule(String dottedPath, Module replacement) {
        int dot = dottedPath == null ? -1 : dottedPath.lastIndexOf('.');
        Module owner = dot < 0 ? this : getSubmodule(dottedPath.substring(0, dot));
        String name = dot < 0 ? dottedPath : dottedPath.substring(dot + 1);
        if (!owner.children.containsKey(name)) {
            throw new IllegalArgumentException("replaceModule: "
                    + owner.getClass().getSimpleName() + " has no child"
                    + " module named '" + name + "' in path '" + dottedPath + "' (children: " + owner.children.keySet()
                    + ")");
        }
        Class<?> required = owner.requiredChildTypes.get(name);
        if (required != null && !required.isInstance(replacement)) {
            throw new IllegalArgumentException("replaceModule: '" + dottedPath + "' must be a "
                    + required.getSimpleName() + " (" + owner.getClass().getSimpleName() + " calls it with more than "
                    + "one input), got "
                    + (replacement == null ? "null" : replacement.getClass().getSimpleName()));
        }
        owner.children.put(name, replacement);
        ForwardHooks.changed();
    }

    /** The submodule at a dotted path ("" is this module), like PyTorch's {@code get_submodule}. */
    public Module getSubmodule(String dottedPath) {
        if (dottedPath == null) {
            throw new IllegalArgumentException("getSubmodule: path must not be null");
        }
        Module m = this;
        String walked = "";
        for (String name : dottedPath.isEmpty() ? new String[0] : dottedPath.split("\\.", -1)) {
            Module next = m.children.get(name);
            if (next == null) {
                throw new IllegalArgumentException("getSubmodule: "
                        + (walked.isEmpty()
                                ? getClass().getSimpleName()
                                : "'" + walked + "' (" + m.getClass().getSimpleName() + ")")
                        + " has no child module named '"
                        + name + "' (path '" + dottedPath + "'; children: " + m.children.keySet() + ")");
            }
            m = next;
            walked = ModulePaths.join(walked, name);
        }
        return m;
    }

    /** The parameter at a dotted path ("layer1.0.conv1.weight"), like PyTorch's {@code get_parameter}. */
    public Tensor getParameter(String dottedName) {
        int dot = dottedName.lastIndexOf('.');
        Module owner = dot < 0 ? this : getSubmodule(dottedName.substring(0, dot));
        String name = dottedName.substring(dot + 1);
        if (!owner.parameters.containsKey(name)) {
            throw new IllegalArgumentException(
                    "getParameter: " + owner.getClass().getSimpleName() + " has no " + "parameter named '" + name
                            + "' (parameters: " + owner.parameters.keySet() + ")");
        }
        return owner.parameters.get(name);
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

    /** A registered child that must be of a given type (e.g. attention called with masks). */
    protected final <M extends Module> M child(String name, Class<M> type) {
        Module m = child(name);
        if (!type.isInstance(m)) {
            throw new IllegalStateException(
                    getClass().getSimpleName() + ": child '" + name + "' must be a " + type.getSimpleName() + ", got "
                            + (m == null ? "null" : m.getClass().getSimpleName()));
        }
        return type.cast(m);
    }

    /**
     * A registered parameter of this module (not of children), or null; for a re-parametrized name
     * (spectral norm's {@code weight}) the tensor computed from the parameters at the last call.
     */
    public Tensor parameter(String name) {
        Tensor p = parameters.get(name);
        return p != null || parameters.containsKey(name) ? p : computed.get(name);
    }

    /**
     * Re-parametrizes a parameter, as torch.nn.utils.spectral_norm does: the parameter {@code name} is
     * re-registered as {@code name + suffix} (a new last entry of the state dict, the same tensor), and
     * {@link #parameter(String) parameter(name)} returns {@code initial} until {@link #setComputed} replaces it.
     * Returns the original parameter.
     */
    final Tensor reparametrize(String name, String suffix, Tensor initial) {
        Tensor p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter named '" + name
                    + "' to re-parametrize (parameters: " + parameters.keySet() + ")");
        }
        checkName(name + suffix);
        parameters.remove(name);
        parameters.put(name + suffix, p);
        computed.put(name, initial);
        return p;
    }

    /** Sets the tensor a re-parametrized name stands for (see {@link #reparametrize}). */
    final void setComputed(String name, Tensor value) {
        if (!computed.containsKey(name)) {
            throw new IllegalStateException(getClass().getSimpleName() + ": '" + name + "' is not re-parametrized");
        }
        computed.put(name, value);
    }

    /**
     * Re-parametrizes a parameter for {@code nn.utils} methods such as pruning
     * ({@code dev.torchlet.nn.utils.prune.Prune}): the parameter {@code name} is re-registered as
     * {@code name + suffix} (a new last parameter, the same tensor, so optimizers keep it), the given
     * buffers are registered after the existing ones, and before every call a forward pre-hook sets
     * {@code name} to {@code compute(this)}, so the layer's forward uses it and gradients flow to
     * {@code name + suffix} ({@link #parameter(String) parameter(name)} returns it; the state dict holds
     * only the parameter and buffers, as PyTorch's). {@code name} is computed once right away too.
     * Undo with {@link #removeReparametrization(String)}. Fails, changing nothing, on an unknown
     * parameter, a name already re-parametrized or a name already in use.
     */
    public final void reparametrize(
            String name, String suffix, Map<String, Tensor> newBuffers, Function<Module, Tensor> compute) {
        String who = getClass().getSimpleName() + ".reparametrize('" + name + "')";
        if (computed.containsKey(name)) {
            throw new IllegalStateException(who + ": '" + name + "' is already re-parametrized");
        }
        if (parameters.get(name) == null) {
            throw new IllegalArgumentException(
                    who + ": no parameter named '" + name + "' (parameters: " + parameters.keySet() + ")");
        }
        checkName(name + suffix);
        for (String b : newBuffers.keySet()) {
            checkName(b);
        }
        reparametrize(name, suffix, null);
        newBuffers.forEach(this::registerBuffer);
        HookHandle hook = registerForwardPreHook((m, input) -> {
            m.setComputed(name, compute.apply(m));
            return null;
        });
        reparametrizations.put(name, new Reparametrization(suffix, List.copyOf(newBuffers.keySet()), compute, hook));
        try {
            setComputed(name, compute.apply(this));
        } catch (RuntimeException e) { // undo: the parameter goes back under its name
            Tensor orig = parameters.get(name + suffix);
            removeReparametrizationState(name);
            parameters.put(name, orig);
            throw e;
        }
    }

    /** Whether {@code name} is re-parametrized through {@link #reparametrize(String, String, Map, Function)}. */
    public final boolean isReparametrized(String name) {
        return reparametrizations.containsKey(name);
    }

    /** The names re-parametrized through {@link #reparametrize(String, String, Map, Function)}, in order. */
    public final List<String> reparametrizedNames() {
        return List.copyOf(reparametrizations.keySet());
    }

    /**
     * Computes a re-parametrized {@code name} again now (e.g. after its buffers changed in place), as
     * the pre-hook does before each call; returns the value.
     */
    public final Tensor recomputeReparametrization(String name) {
        Reparametrization r = reparametrizations.get(name);
        if (r == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name
                    + "' is not re-parametrized (re-parametrized: " + reparametrizations.keySet() + ")");
        }
        Tensor value = r.compute().apply(this);
        setComputed(name, value);
        return value;
    }

    /**
     * Makes a re-parametrization permanent, as PyTorch's {@code prune.remove}: the current computed
     * value is copied into the {@code name + suffix} tensor, which is registered again as the plain
     * parameter {@code name} (last among the parameters, as in PyTorch); the buffers and the hook go.
     * Returns the parameter.
     */
    public final Tensor removeReparametrization(String name) {
        Reparametrization r = reparametrizations.get(name);
        if (r == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name
                    + "' is not re-parametrized (re-parametrized: " + reparametrizations.keySet() + ")");
        }
        Tensor orig = parameters.get(name + r.suffix());
        Tensor value;
        try (var g = dev.torchlet.Torch.noGrad()) {
            value = r.compute().apply(this);
        }
        removeReparametrizationState(name);
        orig.copyFrom(value);
        parameters.put(name, orig);
        return orig;
    }

    private void removeReparametrizationState(String name) {
        Reparametrization r = reparametrizations.remove(name);
        r.hook().remove();
        parameters.remove(name + r.suffix());
        r.bufferNames().forEach(buffers::remove);
        computed.remove(name);
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

    /**
     * This module ("") and all descendants with dotted names, depth first, each module once (a
     * module registered twice appears under its first name), like PyTorch's {@code named_modules}.
     */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(this)) {
            return;
        }
        out.put(prefix, this);
        children.forEach((name, child) -> {
            if (child != null) {
                child.collectModules(ModulePaths.join(prefix, name), out, seen);
            }
        });
    }

    /** This module and all descendants, depth first. */
    public List<Module> modules() {
        return List.copyOf(namedModules().values());
    }

    /** All parameters (skipping null ones) with dotted names, each tensor once. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules()
                .forEach((prefix, m) -> m.parameters.forEach((name, p) -> {
                    if (p != null && seen.add(p)) {
                        out.put(ModulePaths.join(prefix, name), p);
                    }
                }));
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedModules()
                .forEach((prefix, m) -> m.buffers.forEach((name, b) -> {
                    if (b != null) {
                        out.put(ModulePaths.join(prefix, name), b);
                    }
                }));
        return out;
    }

    /**
     * Parameters and buffers by dotted name, in PyTorch's order (per module: parameters, then
     * buffers, then children). A module or tensor shared under two names appears under both, as in
     * PyTorch's {@code state_dict}.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, t) -> {
            if (t != null) {
                out.put(ModulePaths.join(prefix, name), t.detach());
            }
        });
        buffers.forEach((name, t) -> {
            if (t != null) {
                out.put(ModulePaths.join(prefix, name), t.detach());
            }
        });
        children.forEach((name, child) -> {
            if (child != null) {
                child.collectState(ModulePaths.join(prefix, name), out);
            }
        });
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
            } else if (!java.util.Arrays.equals(TensorInternals.shapeRef(v), TensorInternals.shapeRef(e.getValue()))) {
                mismatched.add(e.getKey() + ": checkpoint " + Shape.str(TensorInternals.shapeRef(v)) + " vs model "
                        + Shape.str(TensorInternals.shapeRef(e.getValue())));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!mismatched.isEmpty() || strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            StringBuilder msg = new StringBuilder(
                    "loadStateDict: error(s) loading into " + getClass().getSimpleName() + ":");
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
                e.getValue().copyFrom(v);
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ---------------------------------------------------------------- modes and gradients

    /** Training mode (dropout active, batch norm uses batch statistics), recursively. */
    public Module train() {
        return train(true);
    }

    /** Sets training mode recursively; frozen batch-norm layers stay in eval mode (statistics untouched). */
    public Module train(boolean mode) {
        namedModules().values().forEach(m -> m.training = mode && !m.keepsEvalMode());
        return this;
    }

    /** Evaluation mode, recursively. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Frozen layers with running statistics (batch norm) stay in eval mode, so fine-tuning keeps them. */
    private boolean keepsEvalMode() {
        return frozen && this instanceof BatchNorm;
    }

    /** Clears the gradients of all parameters. */
    public void zeroGrad() {
        for (Tensor p : parameters()) {
            p.setGrad(null);
        }
    }

    /** Freezes (false) or unfreezes (true) every parameter, like PyTorch's {@code requires_grad_}. */
    public Module requiresGrad(boolean value) {
        for (Tensor p : parameters()) {
            p.requiresGrad(value);
        }
        return this;
    }

    /**
     * Freezes submodules and parameters for transfer learning: their parameters stop requiring grad
     * (so no gradient work is done for them) and frozen batch-norm layers switch to, and stay in, eval
     * mode through later {@link #train()} calls. Arguments are dotted names or globs of submodules or
     * parameters ("conv1", "layer1.*", "fc.bias"; {@code *} matches across dots); none freezes
     * everything. Fails, changing nothing, when a pattern matches nothing.
     */
    public Module freeze(String... namesOrGlobs) {
        return setFrozen(true, namesOrGlobs);
    }

    /** Undoes {@link #freeze} for the matching submodules and parameters (none: everything). */
    public Module unfreeze(String... namesOrGlobs) {
        return setFrozen(false, namesOrGlobs);
    }

    /** Whether this module was frozen by {@link #freeze} (itself or through an ancestor's pattern). */
    public boolean isFrozen() {
        return frozen;
    }

    private Module setFrozen(boolean freeze, String[] patterns) {
        Map<String, Module> modules = namedModules();
        Map<String, Tensor> params = namedParameters();
        Set<Module> hitModules = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Tensor> hitParams = Collections.newSetFromMap(new IdentityHashMap<>());
        if (patterns.length == 0) {
            hitModules.addAll(modules.values());
            hitParams.addAll(params.values());
        }
        for (String pattern : patterns) {
            Pattern glob = ModulePaths.glob(pattern);
            boolean matched = false;
            for (var e : modules.entrySet()) {
                if (!e.getKey().isEmpty() && glob.matcher(e.getKey()).matches()) {
                    hitModules.addAll(e.getValue().namedModules().values());
                    hitParams.addAll(e.getValue().parameters());
                    matched = true;
                }
            }
            for (var e : params.entrySet()) {
                if (glob.matcher(e.getKey()).matches()) {
                    hitParams.add(e.getValue());
                    matched = true;
                }
            }
            if (!matched) {
                throw new IllegalArgumentException((freeze ? "freeze" : "unfreeze") + ": no submodule or parameter of "
                        + getClass().getSimpleName() + " matches '" + pattern + "' (children: " + children.keySet()
                        + ")");
            }
        }
        hitParams.forEach(p -> p.requiresGrad(!freeze));
        for (Module m : hitModules) {
            m.frozen = freeze;
            if (m instanceof BatchNorm) {
                m.training = !freeze && training;
            }
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

    /** Called before forward with the (first) input; may return a replacement input (or null). */
    @FunctionalInterface
    public interface ForwardPreHook {
        Tensor apply(Module module, Tensor input);
    }

    /**
     * Called after forward with the (first) input and the output tensor; may return a replacement
     * output (or null). For a module with a {@link ForwardResult} (attention, recurrent layers) the
     * output is the result's main tensor.
     */
    @FunctionalInterface
    public interface ForwardHook {
        Tensor apply(Module module, Tensor input, Tensor output);
    }

    /**
     * Called after forward with every input of the call (in the forward's parameter order, nulls
     * included) and the whole output (a Tensor or a {@link ForwardResult} such as
     * {@link MultiheadAttention.Output}); may return a replacement of the same type (or null).
     */
    @FunctionalInterface
    public interface ForwardCallHook {
        Object apply(Module module, List<Object> inputs, Object output);
    }

    /** A forward output with more than one tensor; tensor hooks see and replace its main tensor. */
    public interface ForwardResult<R extends ForwardResult<R>> {
        /** The main output, e.g. the attention output or the recurrent output sequence. */
        Tensor output();

        /** A copy with the main output replaced. */
        R withOutput(Tensor output);
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

    /**
     * True if a forward pre-hook or hook is registered on this module (feature extraction, explanations, user
     * hooks, re-parametrizations such as spectral norm). A parent that would run this module's computation fused
     * with its neighbours' (see ResNet's blocks in inference) must call it instead when this is true.
     */
    public final boolean hasForwardHooks() {
        return !forwardHooks.isEmpty();
    }

    /**
     * True if a forward pre-hook or hook is registered on this module or any module below it. Cached until a hook
     * is added or removed anywhere or a module's children change, so a forward may ask it on every call.
     */
    public final boolean subtreeHasForwardHooks() {
        int epoch = ForwardHooks.epoch();
        if (hooksEpoch != epoch) {
            boolean any = hasForwardHooks();
            for (Module child : children.values()) {
                any |= child.subtreeHasForwardHooks();
            }
            subtreeHooks = any;
            hooksEpoch = epoch;
        }
        return subtreeHooks;
    }

    /**
     * For a forward that records no graph ({@link dev.torchlet.Torch#inferenceMode()}, or {@code dead} and every
     * one of {@code live} outside any graph: a frozen network, a no-grad scope): {@code dead}, an intermediate output
     * that {@code owner}'s layers made and nothing reads any more, gives its buffer back for the next layer's output,
     * unless it shares its storage with one of {@code live} (the forward's input and output, tensors still to be
     * read; nulls allowed), did not come from the buffer pool, or a hook is registered in {@code owner}'s subtree
     * (hooks may keep what they see). When a graph may read {@code dead} (it or a live tensor requires a gradient)
     * it does nothing.
     */
    protected static void releaseIntermediate(Module owner, Tensor dead, Tensor... live) {
        if (!owner.subtreeHasForwardHooks()) {
            InferenceMode.recycleUnrecorded(dead, live);
        }
    }

    public HookHandle registerForwardPreHook(ForwardPreHook hook) {
        return forwardHooks.addPre(hook);
    }

    public HookHandle registerForwardHook(ForwardHook hook) {
        return forwardHooks.add((module, inputs, output) -> {
            Tensor out = ForwardHooks.mainTensor(output);
            if (out == null) {
                return null;
            }
            Tensor in = !inputs.isEmpty() && inputs.get(0) instanceof Tensor t ? t : null;
            Tensor replaced = hook.apply(module, in, out);
            return replaced == null ? null : ForwardHooks.withMainTensor(output, replaced);
        });
    }

    public HookHandle registerForwardCallHook(ForwardCallHook hook) {
        return forwardHooks.add(hook);
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
