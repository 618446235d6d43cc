package dev.torchlet.spark.train;

import dev.torchlet.nn.Module;
import java.io.Serializable;

/**
 * Builds the network's architecture on an executor (its weights are then replaced by the driver's). A lambda
 * works: {@code () -> new Sequential(...)}; it is serialized to the executors, so it must capture only
 * serializable values.
 */
@FunctionalInterface
public interface ModuleFactory extends Serializable {
    Module create();
}
