package dev.torchlet.nn;

import dev.torchlet.Tensor;
import java.util.Iterator;
import java.util.List;

/** Holds modules in a list (named "0", "1", ...) so their parameters are registered; has no forward. */
public class ModuleList extends Module implements Iterable<Module> {
    public ModuleList(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    public ModuleList add(Module m) {
        registerModule(Integer.toString(children().size()), m);
        return this;
    }

    public Module get(int index) {
        List<Module> c = children();
        if (index < 0 || index >= c.size()) {
            throw new IndexOutOfBoundsException(
                    "ModuleList: index " + index + " out of range for " + c.size() + " modules");
        }
        return c.get(index);
    }

    public int size() {
        return children().size();
    }

    @Override
    public Iterator<Module> iterator() {
        return children().iterator();
    }

    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward: iterate over its modules instead");
    }
}
