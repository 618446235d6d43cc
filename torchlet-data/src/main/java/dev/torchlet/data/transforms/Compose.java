package dev.torchlet.data.transforms;

import java.util.List;

/**
 * Applies transforms in order, like {@code torchvision.transforms.Compose}:
 * {@code Compose.<Image, Tensor>of(new ToTensor(), new Normalize(...))}. The steps' types are
 * checked when applied; {@link Transform#andThen} is the compile-time-checked alternative.
 */
public final class Compose<I, O> implements Transform<I, O> {
    private final List<Transform<?, ?>> steps;

    public Compose(List<? extends Transform<?, ?>> steps) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("Compose: needs at least one transform");
        }
        this.steps = List.copyOf(steps);
    }

    public static <I, O> Compose<I, O> of(Transform<?, ?>... steps) {
        return new Compose<>(List.of(steps));
    }

    public List<Transform<?, ?>> steps() {
        return steps;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public O apply(I input) {
        Object x = input;
        for (int k = 0; k < steps.size(); k++) {
            Transform step = steps.get(k);
            try {
                x = step.apply(x);
            } catch (ClassCastException e) {
                throw new IllegalArgumentException(
                        "Compose: step " + k + " (" + step.getClass().getSimpleName()
                                + ") cannot take a "
                                + (x == null ? "null" : x.getClass().getSimpleName())
                                + " (put ToTensor before tensor transforms)",
                        e);
            }
        }
        return (O) x;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Compose(");
        for (Transform<?, ?> t : steps) {
            sb.append("\n    ").append(t);
        }
        return sb.append("\n)").toString();
    }
}
