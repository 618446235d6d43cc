package dev.torchlet.data.transforms;

/**
 * A sample transform, like a torchvision transform: {@code Tensor t = toTensor.apply(image)}.
 * Chain with {@link #andThen} (type-checked) or {@link Compose}.
 */
@FunctionalInterface
public interface Transform<I, O> {
    O apply(I input);

    default <R> Transform<I, R> andThen(Transform<? super O, ? extends R> next) {
        return x -> next.apply(apply(x));
    }
}
