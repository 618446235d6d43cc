package dev.torchlet.autograd;

/**
 * Whether ops record the autograd graph. Per thread, like PyTorch's grad mode: a
 * {@code Torch.noGrad()} scope on one thread does not affect DataLoader workers or other threads.
 * This is one of the two pieces of global mutable state (the other is the seedable RNG).
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    public static void set(boolean enabled) {
        ENABLED.set(enabled);
    }

    /** A scope that sets grad mode and restores the previous value on close. */
    public static Scope scope(boolean enabled) {
        boolean previous = isEnabled();
        set(enabled);
        return new Scope(previous);
    }

    /** Restores the previous grad mode; {@code close()} throws nothing. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;

        private Scope(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            set(previous);
        }
    }
}
