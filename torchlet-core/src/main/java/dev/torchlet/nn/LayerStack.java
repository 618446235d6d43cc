package dev.torchlet.nn;

import dev.torchlet.Tensor;
import java.util.function.BiFunction;

/**
 * The {@code layers} list of TransformerEncoder and TransformerDecoder: a ModuleList (so state-dict
 * keys are {@code layers.0...}) that runs its layers in order through its own forward hooks, so a
 * hook on {@code layers} fires like one on any other submodule. Hooks see the input and the
 * stack's extra inputs (masks, memory).
 */
final class LayerStack extends ModuleList {

    /**
     * Runs step(layer, x) over the layers of {@code layers} in order: through the hooks when it is a
     * LayerStack, plainly when a user replaced it by another ModuleList.
     */
    static Tensor run(Module layers, Tensor x, BiFunction<Module, Tensor, Tensor> step, Object... extra) {
        if (!(layers instanceof ModuleList list)) {
            throw new IllegalStateException("Transformer stack: 'layers' must be a ModuleList, got "
                    + layers.getClass().getSimpleName());
        }
        if (!(list instanceof LayerStack stack)) {
            return apply(list, x, step);
        }
        Object[] args = new Object[extra.length + 1];
        args[0] = x;
        System.arraycopy(extra, 0, args, 1, extra.length);
        return stack.callWithHooks(a -> apply(stack, (Tensor) a[0], step), args);
    }

    private static Tensor apply(ModuleList list, Tensor x, BiFunction<Module, Tensor, Tensor> step) {
        for (Module layer : list) {
            x = step.apply(layer, x);
        }
        return x;
    }
}
