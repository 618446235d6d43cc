package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;

/** Expands one dim into a shape: (N, 12) with dim 1, sizes (3, 4) gives (N, 3, 4). */
public class Unflatten extends Module {
    private final int dim;
    private final int[] sizes;

    public Unflatten(int dim, int... sizes) {
        this.dim = dim;
        this.sizes = sizes.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        int d = Shape.dim("unflatten", dim, x.dim());
        int[] in = TensorInternals.shapeRef(x);
        int[] out = new int[in.length - 1 + sizes.length];
        System.arraycopy(in, 0, out, 0, d);
        System.arraycopy(sizes, 0, out, d, sizes.length);
        System.arraycopy(in, d + 1, out, d + sizes.length, in.length - d - 1);
        int[] resolved = Shape.infer(
                "unflatten", java.util.Arrays.copyOfRange(out, d, d + sizes.length), in[d], new int[] {in[d]});
        System.arraycopy(resolved, 0, out, d, sizes.length);
        return x.reshape(out);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", unflattened_size="
                + Shape.str(sizes).replace('[', '(').replace(']', ')');
    }
}
