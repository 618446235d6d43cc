package dev.torchlet.nn;

import dev.torchlet.Tensor;
import java.util.List;

/** Runs its children in order, each on the previous one's output. Children are named "0", "1", ... */
public class Sequential extends Module {
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends a module (named by its position). */
    public Sequential add(Module m) {
        registerModule(Integer.toString(children().size()), m);
        return this;
    }

    public Module get(int index) {
        List<Module> c = children();
        if (index < 0 || index >= c.size()) {
            throw new IndexOutOfBoundsException(
                    "Sequential: index " + index + " out of range for " + c.size() + " modules");
        }
        return c.get(index);
    }

    public int size() {
        return children().size();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : children()) {
            Tensor in = y;
            y = m.call(in);
            if (in != x) {
                releaseIntermediate(this, in, x, y); // inference mode: the previous layer's output is read no more
            }
        }
        return y;
    }
}
