package dev.torchlet.onnx;

import dev.torchlet.InferenceMode;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.internal.TensorInternals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The memory plan of a graph's run in {@link dev.torchlet.Torch#inferenceMode()}: after which node each value the
 * plan computes is read for the last time, so that its buffer goes back to the inference pool for the next
 * convolution's output, as ONNX Runtime's arena reuses it. Graph outputs never die. A value's buffer is recycled only
 * when no live value shares its storage (Reshape, Flatten and Identity return views of their input) and it is not
 * the storage of a value the run started with (inputs, initializers, folded constants, an enclosing graph's values).
 */
final class OnnxLiveness {
    private final List<OnnxNode> plan;
    private final List<List<String>> deadAfter; // per plan node: the values it reads (or writes) last

    private OnnxLiveness(List<OnnxNode> plan, List<List<String>> deadAfter) {
        this.plan = plan;
        this.deadAfter = deadAfter;
    }

    /** The plan's last uses; {@code outputs} (the graph's) are kept. */
    static OnnxLiveness of(List<OnnxNode> plan, List<String> outputs) {
        Map<String, Integer> last = new HashMap<>();
        for (int k = 0; k < plan.size(); k++) {
            OnnxNode node = plan.get(k);
            for (String name : node.proto.getOutputList()) {
                if (!name.isEmpty()) { // "": an optional output the node does not produce
                    last.put(name, k); // a value nobody reads dies where it is made
                }
            }
        }
        for (int k = 0; k < plan.size(); k++) {
            OnnxNode node = plan.get(k);
            List<String> reads = new ArrayList<>(node.proto.getInputList());
            reads.addAll(node.implicitInputs());
            for (String name : reads) {
                if (last.containsKey(name)) {
                    last.put(name, Math.max(last.get(name), k));
                }
            }
        }
        outputs.forEach(last::remove);
        List<List<String>> deadAfter = new ArrayList<>();
        for (int k = 0; k < plan.size(); k++) {
            deadAfter.add(new ArrayList<>());
        }
        last.forEach((name, k) -> deadAfter.get(k).add(name));
        return new OnnxLiveness(plan, deadAfter);
    }

    /** Whether this plan was computed for {@code nodes}. */
    boolean isFor(List<OnnxNode> nodes) {
        return plan == nodes;
    }

    /** One run's bookkeeping: how many live values hold each storage the run made. */
    Run start(Map<String, Tensor> values) {
        return new Run(values);
    }

    final class Run {
        private final Map<String, Tensor> values;
        private final Set<Storage> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Map<Storage, Integer> holders = new IdentityHashMap<>();

        private Run(Map<String, Tensor> values) {
            this.values = values;
            for (Tensor t : values.values()) {
                if (t != null) {
                    pinned.add(TensorInternals.storage(t));
                }
            }
        }

        /** After plan node k stored its outputs: counts them, then releases the values that die there. */
        void after(int k, Tensor[] outputs) {
            List<String> names = plan.get(k).proto.getOutputList();
            for (int i = 0; i < Math.min(outputs.length, names.size()); i++) {
                if (outputs[i] != null && !names.get(i).isEmpty()) {
                    holders.merge(TensorInternals.storage(outputs[i]), 1, Integer::sum);
                }
            }
            for (String name : deadAfter.get(k)) {
                Tensor t = values.remove(name);
                if (t == null) {
                    continue;
                }
                Storage s = TensorInternals.storage(t);
                Integer left = holders.merge(s, -1, Integer::sum);
                if (left != null && left <= 0) {
                    holders.remove(s);
                    if (!pinned.contains(s)) {
                        InferenceMode.recycle(t);
                    }
                }
            }
        }
    }
}
