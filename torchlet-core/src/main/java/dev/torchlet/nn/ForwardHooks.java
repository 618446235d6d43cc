package dev.torchlet.nn;

import dev.torchlet.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The forward hooks of one module and the code that runs a call through them (PyTorch's
 * {@code Module.__call__}): pre-hooks in registration order, then forward, then hooks in
 * registration order. Package-private: users reach it through {@link Module#call(Tensor)},
 * the multi-input {@code call(...)} methods and {@code registerForward*Hook}.
 *
 * <p>Thread safety: the lists are copy-on-write, so hooks may be added and removed while other threads
 * run the module (a call sees the hooks present when it reached them). A hook itself runs on every
 * thread that calls the module; one meant for a single call must check the thread (as
 * {@code FeatureExtractor} does).
 */
final class ForwardHooks {
    /**
     * Bumped whenever a hook is added or removed anywhere, or a module gains or swaps a child: a module's cached
     * answer to "are there hooks in my subtree" ({@link Module#subtreeHasForwardHooks()}) is valid while it holds.
     */
    private static final AtomicInteger EPOCH = new AtomicInteger();

    static int epoch() {
        return EPOCH.get();
    }

    static void changed() {
        EPOCH.incrementAndGet();
    }

    private final List<Module.ForwardPreHook> preHooks = new CopyOnWriteArrayList<>();
    private final List<Module.ForwardCallHook> hooks = new CopyOnWriteArrayList<>();

    boolean isEmpty() {
        return preHooks.isEmpty() && hooks.isEmpty();
    }

    Module.HookHandle addPre(Module.ForwardPreHook hook) {
        preHooks.add(hook);
        changed();
        return () -> {
            if (preHooks.remove(hook)) {
                changed();
            }
        };
    }

    Module.HookHandle add(Module.ForwardCallHook hook) {
        hooks.add(hook);
        changed();
        return () -> {
            if (hooks.remove(hook)) {
                changed();
            }
        };
    }

    /**
     * Runs {@code forward} on {@code args} through the hooks. Pre-hooks see the first input and may
     * replace it; hooks see every input and the output. A {@link Module.ForwardResult} output (attention
     * weights, recurrent states) shows its main tensor to tensor hooks, which may replace that tensor.
     */
    <R> R run(Module module, Object[] args, Function<Object[], R> forward) {
        Object[] in = args.clone();
        for (Module.ForwardPreHook h : preHooks) { // a snapshot: hooks may remove themselves
            if (in.length > 0 && in[0] instanceof Tensor first) {
                Tensor replaced = h.apply(module, first);
                if (replaced != null) {
                    in[0] = replaced;
                }
            }
        }
        R out = forward.apply(in);
        List<Object> inputs = Collections.unmodifiableList(Arrays.asList(in));
        for (Module.ForwardCallHook h : hooks) {
            Object replaced = h.apply(module, inputs, out);
            if (replaced != null) {
                out = checkedReplacement(module, out, replaced);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <R> R checkedReplacement(Module module, R out, Object replaced) {
        if (out != null && !out.getClass().isInstance(replaced)) {
            throw new IllegalStateException(module.getClass().getSimpleName() + ": a forward hook returned a "
                    + replaced.getClass().getSimpleName() + " in place of the module's "
                    + out.getClass().getSimpleName()
                    + " output");
        }
        return (R) replaced;
    }

    /** The main tensor of an output: the tensor itself or a result's {@code output()}; null otherwise. */
    static Tensor mainTensor(Object output) {
        if (output instanceof Tensor t) {
            return t;
        }
        return output instanceof Module.ForwardResult<?> r ? r.output() : null;
    }

    /** Puts a tensor hook's replacement back into an output of the same kind. */
    static Object withMainTensor(Object output, Tensor replacement) {
        if (output instanceof Module.ForwardResult<?> r) {
            return r.withOutput(replacement);
        }
        return replacement;
    }
}
