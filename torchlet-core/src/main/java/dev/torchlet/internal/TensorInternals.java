package dev.torchlet.internal;

import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Node;

/**
 * Not API: the parts of {@link Tensor} that ops, kernels' callers, file readers and data loaders
 * need but users must not touch (the raw storage, the shape and stride arrays themselves, views
 * built on storage, attaching autograd nodes). They are package-private on Tensor; this bridge
 * (the JDK's SharedSecrets pattern) hands them to Torchlet's own packages. Code outside Torchlet
 * should not use this package: it may change in any release.
 */
public final class TensorInternals {
    /** The package-private side of Tensor, installed by Tensor's static initializer. */
    public interface Access {
        Storage storage(Tensor t);

        int[] shapeRef(Tensor t);

        int[] stridesRef(Tensor t);

        Tensor wrap(Storage storage, int offset, int[] shape, int[] strides);

        Tensor wrap(Storage storage, int[] shape);

        void attachGradFn(Tensor t, Node node);
    }

    private static volatile Access access;

    private TensorInternals() {}

    /** Called once, by Tensor's static initializer; refused from anywhere else. */
    public static void install(Access tensorAccess) {
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .getCallerClass();
        if (caller != Tensor.class || access != null) {
            throw new IllegalStateException("TensorInternals: only Tensor installs its access, once");
        }
        access = tensorAccess;
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            try { // initializes Tensor, which installs its access
                Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }

    /** The flat storage a tensor views (shared by views). */
    public static Storage storage(Tensor t) {
        return access().storage(t);
    }

    /** The shape array itself, not a copy. Callers must not modify it. */
    public static int[] shapeRef(Tensor t) {
        return access().shapeRef(t);
    }

    /** The strides array itself, not a copy. Callers must not modify it. */
    public static int[] stridesRef(Tensor t) {
        return access().stridesRef(t);
    }

    /** A view onto existing storage; shape and strides are taken as they are (not copied). */
    public static Tensor wrap(Storage storage, int offset, int[] shape, int[] strides) {
        return access().wrap(storage, offset, shape, strides);
    }

    /** A contiguous tensor over the whole storage. */
    public static Tensor wrap(Storage storage, int... shape) {
        return access().wrap(storage, shape);
    }

    /** Records the node that produced t (called by {@code Autograd.record}). */
    public static void attachGradFn(Tensor t, Node node) {
        access().attachGradFn(t, node);
    }
}
