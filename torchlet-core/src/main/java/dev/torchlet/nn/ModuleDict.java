package dev.torchlet.nn;

import dev.torchlet.Tensor;
import java.util.Map;

/** Holds named modules (in insertion order) so their parameters are registered; has no forward. */
public class ModuleDict extends Module {
    public ModuleDict() {}

    public ModuleDict(Map<String, ? extends Module> modules) {
        modules.forEach(this::put);
    }

    public ModuleDict put(String name, Module m) {
        registerModule(name, m);
        return this;
    }

    public Module get(String name) {
        Module m = namedChildren().get(name);
        if (m == null) {
            throw new IllegalArgumentException("ModuleDict: no module named '" + name + "' (have "
                    + namedChildren().keySet() + ")");
        }
        return m;
    }

    public int size() {
        return namedChildren().size();
    }

    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleDict has no forward: get(name) a module instead");
    }
}
