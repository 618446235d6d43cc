package dev.torchlet.serve;

/**
 * Turns a model spec (a checkpoint path, {@code zoo:resnet18}, ...) into a {@link ServedModel}. The CLI
 * provides the implementation that knows its checkpoint formats; the server only calls it, at start-up and
 * on {@code POST /v2/repository/models/{name}/load}.
 */
@FunctionalInterface
public interface ModelLoader {
    /** Builds the model named {@code name} from {@code spec}; errors name the spec and what is wrong. */
    ServedModel load(String name, String spec) throws Exception;
}
