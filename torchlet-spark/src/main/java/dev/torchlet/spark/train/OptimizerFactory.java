package dev.torchlet.spark.train;

import dev.torchlet.nn.Module;
import dev.torchlet.optim.Optimizer;
import java.io.Serializable;

/**
 * Builds the optimizer over a model's parameters: on the driver (synchronous SGD applies every update there) and,
 * for parameter averaging, on every executor for its local steps. E.g.
 * {@code m -> new Adam(m.parameters(), 1e-3)}.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
    Optimizer create(Module model);
}
