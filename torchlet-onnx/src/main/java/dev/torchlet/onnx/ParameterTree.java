package dev.torchlet.onnx;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;

/**
 * A node of the module tree that holds an imported model's initializers under their ONNX names: the initializer
 * {@code layer1.0.conv1.weight} is parameter {@code weight} of child {@code layer1} -> {@code 0} -> {@code conv1},
 * so state-dict keys, {@code freeze("layer1.*")} and PyTorch checkpoints use the exporter's names. It computes
 * nothing itself.
 */
class ParameterTree extends Module {
    /** The child named {@code name}, created empty when missing. */
    ParameterTree child(String name, boolean create) {
        Module existing = namedChildren().get(name);
        if (existing instanceof ParameterTree tree) {
            return tree;
        }
        if (existing != null || !create) {
            return null;
        }
        return registerModule(name, new ParameterTree());
    }

    void addParameter(String name, Tensor value) {
        registerParameter(name, value);
    }

    void addBuffer(String name, Tensor value) {
        registerBuffer(name, value);
    }

    boolean uses(String name) {
        return namedChildren().containsKey(name)
                || namedParameters().containsKey(name)
                || namedBuffers().containsKey(name);
    }

    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(
                "'" + getClass().getSimpleName() + "' only holds imported " + "initializers; run the OnnxModel");
    }
}
