package dev.torchlet.spark;

import dev.torchlet.Tensor;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;

/**
 * Turns a model spec (the string a {@link dev.torchlet.spark.ml.TorchletModel} stage is given) into a network,
 * on the driver and again on every executor. The two steps are apart so that weights can travel either way:
 * <ul>
 *   <li>{@link #architecture}: the network as constructed plus its input preprocessing; cheap, reads no file;
 *   <li>{@link #weights}: the state dict the spec names, read where it is called (the driver for a broadcast,
 *       each executor for the shared-file transport).
 * </ul>
 * Implementations must be public classes with a public no-argument constructor: stages store the class name
 * and executors instantiate it. {@link ZooModelProvider} is the default; the {@code torchlet} CLI adds one for
 * its training checkpoints.
 */
public interface ModelProvider extends Serializable {
    /** The network and how its inputs are prepared; errors name the spec. */
    ModelArchitecture architecture(String spec);

    /**
     * The weights for the spec, in the architecture's state-dict names; errors name the spec and the path.
     * May throw {@link UnsupportedOperationException} when the spec has no weights an executor could read
     * (e.g. random initialization), in which case only the broadcast transport works.
     */
    Map<String, Tensor> weights(String spec) throws IOException;

    /**
     * Whether executors can read the spec's weights themselves (a file, a cache), which the {@code auto} weights
     * transport then uses; false for weights only the driver has (a random initialization). Default: true.
     */
    default boolean hasWeightsFile(String spec) {
        return true;
    }

    /** Instantiates a provider by class name, with an error naming the class when that fails. */
    static ModelProvider byName(String className) {
        try {
            Class<?> cls = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            return (ModelProvider) cls.getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new IllegalArgumentException(
                    "cannot instantiate model provider '" + className + "' (it must be a "
                            + "public class implementing " + ModelProvider.class.getName()
                            + " with a public no-argument "
                            + "constructor, on the executors' class path): " + e,
                    e);
        }
    }
}
