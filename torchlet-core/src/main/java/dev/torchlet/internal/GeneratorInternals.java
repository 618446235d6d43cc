package dev.torchlet.internal;

import dev.torchlet.Generator;
import dev.torchlet.kernels.RandomKernels;

/**
 * Not API: lets ops draw a generator's random numbers themselves (in parallel, and again in the backward)
 * instead of receiving them as a tensor. Installed by {@link Generator}'s static initializer, like
 * {@link TensorInternals}; code outside Torchlet should not use it.
 */
public final class GeneratorInternals {
    /** The package-private side of Generator. */
    public interface Access {
        /**
         * Takes the next count float draws from g (its stream moves past them) without computing them: draws
         * i &lt; count of the returned stream are the values count calls of {@link Generator#nextFloat} would
         * have returned ({@code RandomReference.uniformFloat(seed, gamma, i)}).
         */
        RandomKernels.Draws reserveFloats(Generator g, long count);
    }

    private static volatile Access access;

    private GeneratorInternals() {}

    /** Called once, by Generator's static initializer; refused from anywhere else. */
    public static void install(Access generatorAccess) {
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .getCallerClass();
        if (caller != Generator.class || access != null) {
            throw new IllegalStateException("GeneratorInternals: only Generator installs its access, once");
        }
        access = generatorAccess;
    }

    /** See {@link Access#reserveFloats}. */
    public static RandomKernels.Draws reserveFloats(Generator g, long count) {
        Access a = access;
        if (a == null) {
            try { // initializes Generator, which installs its access
                Class.forName(Generator.class.getName(), true, Generator.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a.reserveFloats(g, count);
    }
}
