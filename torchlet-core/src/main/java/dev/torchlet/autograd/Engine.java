package dev.torchlet.autograd;

import dev.torchlet.InferenceMode;
import dev.torchlet.Shape;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.ReduceKernels;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward engine: walks the graph from a root in reverse topological order, sums the
 * gradients flowing into each node (a tensor used twice gets both contributions), and
 * accumulates gradients into leaf tensors' {@code grad()}.
 */
public final class Engine {
    private Engine() {}

    public static void backward(Tensor root, Tensor gradRoot, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no grad_fn "
                    + "(call requiresGrad(true) on a leaf it depends on, outside a noGrad() scope)");
        }
        if (!java.util.Arrays.equals(gradRoot.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: gradient shape " + Shape.str(gradRoot.shape())
                    + " does not match the tensor's shape " + Shape.str(root.shape()));
        }
        try (var ignored = GradMode.scope(false);
                InferenceMode.BackwardPass pass = InferenceMode.enterBackward()) {
            if (root.gradFn() == null) {
                accumulateLeaf(root, gradRoot, null);
                return;
            }
            // storages a leaf may not take over without a copy: the caller's root gradient, and any
            // storage already handed to a leaf in this pass (e.g. AddBackward's {g, g})
            Set<Object> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
            handedOut.add(TensorInternals.storage(gradRoot));
            List<Node> order = topologicalOrder(root.gradFn());
            Map<Node, Tensor> pending = new IdentityHashMap<>();
            Gradients live = new Gradients(pass, handedOut);
            pending.put(root.gradFn(), gradRoot);
            live.hold(gradRoot);
            for (Node node : order) {
                Tensor g = pending.remove(node);
                if (g == null) {
                    continue; // no gradient reached this node (e.g. only an integer output path)
                }
                Tensor[] inputGrads = node.apply(g);
                if (!retainGraph) {
                    node.releaseSaved();
                }
                live.drop(g);
                Tensor[] inputs = node.inputs();
                for (int i = 0; i < inputs.length && i < inputGrads.length; i++) {
                    Tensor in = inputs[i];
                    if (inputGrads[i] == null) {
                        continue;
                    }
                    live.consider(inputGrads[i]);
                    if (in == null || !in.requiresGrad()) {
                        continue;
                    }
                    Tensor gi = reduceToShape(inputGrads[i], in.shape(), node.name());
                    live.consider(gi);
                    if (in.gradFn() == null) {
                        accumulateLeaf(in, gi, handedOut);
                    } else {
                        Tensor before = pending.get(in.gradFn());
                        Tensor sum = before == null ? gi : before.add(gi);
                        pending.put(in.gradFn(), sum);
                        live.hold(sum);
                        if (before != null) {
                            live.drop(before);
                        }
                    }
                }
                live.recycleUnheld();
            }
        }
    }

    /**
     * The gradients of one backward pass and who still holds them, so that a consumed one goes back to the buffer
     * pool (see {@link InferenceMode#enterBackward}): a storage is held once per pending sum that lives in it (views
     * included: ViewBackward's gradient is a reshape of its own), and for good when a leaf took it as its grad or it
     * is the caller's root gradient (handedOut). After each node, the storages its gradient and its results lived
     * in that nothing holds any more are recycled; the pass only recycles arrays it took itself.
     */
    private static final class Gradients {
        private final InferenceMode.BackwardPass pass;
        private final Set<Object> handedOut;
        private final Map<Storage, Integer> holds = new IdentityHashMap<>();
        private final Set<Storage> candidates = Collections.newSetFromMap(new IdentityHashMap<>());

        Gradients(InferenceMode.BackwardPass pass, Set<Object> handedOut) {
            this.pass = pass;
            this.handedOut = handedOut;
        }

        void hold(Tensor t) {
            holds.merge(TensorInternals.storage(t), 1, Integer::sum);
        }

        /** One holder of t's storage let it go: recycled after this node unless another holds it. */
        void drop(Tensor t) {
            Storage s = TensorInternals.storage(t);
            holds.computeIfPresent(s, (k, n) -> n == 1 ? null : n - 1);
            candidates.add(s);
        }

        /** t was made in this node: recycled after it unless something holds it by then. */
        void consider(Tensor t) {
            candidates.add(TensorInternals.storage(t));
        }

        void recycleUnheld() {
            for (Storage s : candidates) {
                if (!holds.containsKey(s) && !handedOut.contains(s)) {
                    pass.recycle(s);
                }
            }
            candidates.clear();
        }
    }

    /** Sums a broadcast gradient back to the shape of the input it belongs to. */
    static Tensor reduceToShape(Tensor g, int[] shape, String op) {
        if (java.util.Arrays.equals(g.shape(), shape)) {
            return g;
        }
        Tensor fast = sumLeadingDims(g, shape);
        if (fast != null) {
            return fast;
        }
        if (!Shape.broadcastableTo(shape, g.shape())) {
            throw new IllegalStateException("internal: " + op + " produced a gradient of shape " + Shape.str(g.shape())
                    + " for an input of shape " + Shape.str(shape));
        }
        return g.sumToShape(shape);
    }

    /**
     * The common broadcast case, a bias gradient: a dense g of shape (lead..., target...) summed over
     * its leading dims, straight from the rows (ReduceKernels.columnSum) instead of a general reduction. Null if g
     * is not of that form (then the general path runs).
     */
    private static Tensor sumLeadingDims(Tensor g, int[] shape) {
        int[] gs = TensorInternals.shapeRef(g);
        int skip = 0; // the target's leading 1s are summed too
        while (skip < shape.length && shape[skip] == 1) {
            skip++;
        }
        int tail = shape.length - skip;
        if (tail > gs.length
                || !g.isContiguous()
                || !g.dtype().isFloatingPoint()
                || (g.dtype() != dev.torchlet.DType.FLOAT32 && g.dtype() != dev.torchlet.DType.FLOAT64)) {
            return null;
        }
        int cols = 1;
        for (int i = 0; i < tail; i++) {
            if (gs[gs.length - tail + i] != shape[skip + i]) {
                return null;
            }
            cols *= shape[skip + i];
        }
        int rows = cols == 0 ? 0 : g.numel() / cols;
        Tensor out = Tensor.empty(g.dtype(), shape);
        if (rows == 0 || cols == 0) {
            return out;
        }
        if (g.dtype() == dev.torchlet.DType.FLOAT32) {
            ReduceKernels.columnSum(
                    TensorInternals.storage(g).floats(),
                    g.offset(),
                    rows,
                    cols,
                    TensorInternals.storage(out).floats(),
                    0);
        } else {
            ReduceKernels.columnSum(
                    TensorInternals.storage(g).doubles(),
                    g.offset(),
                    rows,
                    cols,
                    TensorInternals.storage(out).doubles(),
                    0);
        }
        return out;
    }

    /**
     * leaf.grad += g (or = a copy of g). A fresh gradient that exactly owns its storage (dense, offset
     * 0, not seen before in this pass) is taken over without the copy, like PyTorch's AccumulateGrad
     * stealing a gradient nobody else references; handedOut null means always copy.
     */
    private static void accumulateLeaf(Tensor leaf, Tensor g, Set<Object> handedOut) {
        Tensor current = leaf.grad();
        Tensor gc = g.dtype() == leaf.dtype() ? g : g.to(leaf.dtype());
        if (current != null) {
            leaf.setGrad(current.add(gc));
        } else if (handedOut != null && gc.isDense() && handedOut.add(TensorInternals.storage(gc))) {
            leaf.setGrad(gc);
        } else {
            leaf.setGrad(gc.contiguousCopy());
        }
    }

    /** Nodes reachable from root, each after every node that feeds gradient into it. Iterative DFS. */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> postOrder = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {node, nextInputIndex}
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node node = (Node) frame[0];
            int i = (Integer) frame[1];
            Tensor[] inputs = node.inputs();
            if (i < inputs.length) {
                frame[1] = i + 1;
                Tensor in = inputs[i];
                if (in != null && in.gradFn() != null && visited.put(in.gradFn(), Boolean.TRUE) == null) {
                    stack.push(new Object[] {in.gradFn(), 0});
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        java.util.Collections.reverse(postOrder);
        return postOrder;
    }
}
