package dev.torchlet.nn.utils.prune;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.AdaptiveMaxPool2d;
import dev.torchlet.nn.AvgPool2d;
import dev.torchlet.nn.BatchNorm;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Dropout2d;
import dev.torchlet.nn.ELU;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.GELU;
import dev.torchlet.nn.Hardsigmoid;
import dev.torchlet.nn.Hardswish;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.LeakyReLU;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.ReLU6;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.SiLU;
import dev.torchlet.nn.Sigmoid;
import dev.torchlet.nn.Softplus;
import dev.torchlet.nn.Tanh;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Physical structured pruning: removes whole output channels of convolutions (and output features
 * of linear layers) with the smallest L{@code n} weight norm and shrinks the layers that depend on
 * them, giving a smaller dense model that runs faster.
 *
 * <p><b>What is pruned.</b> A <em>chain</em> inside one {@link Sequential}: a producer (a
 * {@link Conv2d} with groups 1, or a {@link Linear}), then only per-channel layers (BatchNorm2d/1d,
 * element-wise activations, pooling, dropout, Identity; for a convolution also a {@link Flatten} from
 * dim 1), then a consumer (a Conv2d with groups 1 taking the channels, or a Linear taking the
 * channels or the flattened channels, {@code in = channels * spatial}). The producer loses output
 * channels (weight rows, bias), the batch norms the same channels (weight, bias, running statistics),
 * the consumer the matching input channels (columns; after a Flatten, each channel's block of
 * {@code spatial} features). A producer whose output leaves its Sequential, feeds a residual
 * addition, a concatenation, grouped/depthwise convolutions or any other layer is <b>left unpruned</b>:
 * so residual blocks keep consistent channel counts (inside a ResNet block only the first
 * convolution's channels go; the block output and the shortcut stay).
 *
 * <p><b>Equivalence.</b> The small model computes exactly what the large model computes when every
 * removed channel outputs zero: i.e. when, besides the producer's weight rows, its bias and the batch
 * norms' weight and bias of that channel are masked too (then batch norm gives 0 in eval mode, and so
 * do ReLU and pooling). Masking the weight rows alone does not remove a channel: with a batch-norm
 * shift (or a bias) the channel still carries the constant relu(beta - gamma * mean / sqrt(var + eps)),
 * which the next layer sees (through zero padding it is not even constant at the borders, so it can
 * not be folded into the next bias exactly). That is why pruning is followed by fine-tuning.
 */
public final class ChannelPruning {
    private ChannelPruning() {}

    /** The layer types this pruning understands, for messages. */
    public static final String SUPPORTED = "producers Conv2d (groups 1) or Linear, followed inside one Sequential by "
            + "per-channel layers (BatchNorm2d, BatchNorm1d, ReLU and other element-wise activations, MaxPool2d, "
            + "AvgPool2d, adaptive pooling, Dropout, Identity, Flatten) and a consumer Conv2d (groups 1) or Linear";

    private static final List<Class<?>> PER_CHANNEL = List.of(
            ReLU.class,
            ReLU6.class,
            LeakyReLU.class,
            ELU.class,
            GELU.class,
            SiLU.class,
            Sigmoid.class,
            Tanh.class,
            Hardswish.class,
            Hardsigmoid.class,
            Softplus.class,
            MaxPool2d.class,
            AvgPool2d.class,
            AdaptiveAvgPool2d.class,
            AdaptiveMaxPool2d.class,
            Dropout.class,
            Dropout2d.class,
            Identity.class);

    /**
     * A prunable chain, by dotted module paths.
     *
     * @param producer   the layer whose output channels go
     * @param batchNorms the batch norms on the way (same channels)
     * @param consumer   the layer whose input channels go
     * @param spatial    input features of the consumer per channel (after a Flatten; else 1)
     */
    public record Chain(String producer, List<String> batchNorms, String consumer, int spatial) {}

    /** Every prunable chain of the model, in module order (see the class comment for the rules). */
    public static List<Chain> chains(Module model) {
        List<Chain> out = new ArrayList<>();
        for (var e : model.namedModules().entrySet()) {
            if (!(e.getValue() instanceof Sequential seq)) {
                continue;
            }
            List<Map.Entry<String, Module>> kids =
                    new ArrayList<>(seq.namedChildren().entrySet());
            for (int i = 0; i < kids.size(); i++) {
                Chain c = chainFrom(e.getKey(), kids, i);
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static boolean isProducer(Module m) {
        return m instanceof Conv2d c && c.options().groups() == 1 || m instanceof Linear;
    }

    private static int outChannels(Module m) {
        return m instanceof Conv2d c ? c.options().outChannels() : ((Linear) m).outFeatures();
    }

    private static int inChannels(Module m) {
        return m instanceof Conv2d c ? c.options().inChannels() : ((Linear) m).inFeatures();
    }

    private static Chain chainFrom(String prefix, List<Map.Entry<String, Module>> kids, int i) {
        Module producer = kids.get(i).getValue();
        if (!isProducer(producer)) {
            return null;
        }
        boolean conv = producer instanceof Conv2d;
        boolean flattened = false;
        List<String> bns = new ArrayList<>();
        for (int j = i + 1; j < kids.size(); j++) {
            Module m = kids.get(j).getValue();
            String path = join(prefix, kids.get(j).getKey());
            if (m instanceof BatchNorm2d && conv && !flattened || m instanceof BatchNorm1d && !conv) {
                bns.add(path);
            } else if (m instanceof Flatten f && conv && !flattened && f.startDim() == 1 && f.endDim() == -1) {
                flattened = true;
            } else if (flattened ? m instanceof Dropout || m instanceof Identity : isPerChannel(m)) {
                // passes channels through
            } else if (m instanceof Conv2d c && c.options().groups() == 1 && conv && !flattened) {
                return c.options().inChannels() == outChannels(producer)
                        ? new Chain(join(prefix, kids.get(i).getKey()), List.copyOf(bns), path, 1)
                        : null;
            } else if (m instanceof Linear l && (flattened || !conv)) {
                int c = outChannels(producer);
                if (l.inFeatures() % c != 0) {
                    return null;
                }
                return new Chain(join(prefix, kids.get(i).getKey()), List.copyOf(bns), path, l.inFeatures() / c);
            } else {
                return null;
            }
        }
        return null;
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private static boolean isPerChannel(Module m) {
        return PER_CHANNEL.stream().anyMatch(c -> c.isInstance(m));
    }

    /**
     * The channels to keep per producer path: for each chain (or those whose producer is in
     * {@code layers}, when not empty), {@code amount} of the output channels (rounded half to even,
     * at least one kept) with the smallest L{@code n} norm of their weight rows go; the kept indices
     * are in increasing order.
     */
    public static Map<String, int[]> select(Module model, Amount amount, double n, Set<String> layers) {
        if (!(n > 0)) {
            throw new IllegalArgumentException("ChannelPruning: norm order n must be > 0, got " + n);
        }
        if (Prune.isPruned(model)) {
            throw new IllegalStateException(
                    "ChannelPruning: the model has pruning masks; make them permanent with " + "Prune.removeAll first");
        }
        List<Chain> chains = chains(model);
        Map<String, Module> modules = model.namedModules();
        for (String layer : layers) {
            Module m = modules.get(layer);
            if (m == null) {
                throw new IllegalArgumentException("ChannelPruning: no layer '" + layer + "' (layers: "
                        + chains.stream().map(Chain::producer).toList() + " can be pruned)");
            }
            if (chains.stream().noneMatch(c -> c.producer().equals(layer))) {
                throw new IllegalArgumentException("ChannelPruning: layer '" + layer + "' is a "
                        + m.getClass().getSimpleName()
                        + (isProducer(m)
                                ? " whose output does not go, inside its Sequential, through per-channel layers"
                                        + " into a Conv2d or Linear (e.g. it feeds a residual addition)"
                                : ", which can not be pruned")
                        + "; supported: " + SUPPORTED);
            }
        }
        Map<String, int[]> keep = new LinkedHashMap<>();
        for (Chain c : chains) {
            if (!layers.isEmpty() && !layers.contains(c.producer())) {
                continue;
            }
            Module p = modules.get(c.producer());
            Tensor w = p.parameter("weight");
            double[] norms = Prune.sliceNorms(w.toFloatArray(), w.shape(), 0, n);
            int size = norms.length;
            int drop = Math.min(amount.toPrune(size), size - 1);
            Integer[] order = IntStream.range(0, size).boxed().toArray(Integer[]::new);
            Arrays.sort(
                    order, Comparator.comparingDouble((Integer i) -> norms[i]).thenComparingInt(i -> i));
            int[] kept = Arrays.stream(order, drop, size)
                    .mapToInt(Integer::intValue)
                    .sorted()
                    .toArray();
            keep.put(c.producer(), kept);
        }
        return keep;
    }

    /** Selects ({@link #select}) and removes the channels; returns the kept indices per producer. */
    public static Map<String, int[]> prune(Module model, Amount amount, double n, Set<String> layers) {
        Map<String, int[]> keep = select(model, amount, n, layers);
        apply(model, keep);
        return keep;
    }

    /** Keeps the first {@code count} channels of each producer: the architecture of a saved pruned model. */
    public static void shrinkTo(Module model, Map<String, Integer> counts) {
        Map<String, int[]> keep = new LinkedHashMap<>();
        counts.forEach((k, v) -> keep.put(k, IntStream.range(0, v).toArray()));
        apply(model, keep);
    }

    /** The output channel count of every pruned producer, for saving next to the state dict. */
    public static Map<String, Integer> counts(Map<String, int[]> keep) {
        Map<String, Integer> out = new LinkedHashMap<>();
        keep.forEach((k, v) -> out.put(k, v.length));
        return out;
    }

    /**
     * Removes all but the given output channels of each producer (by path, the producer of a chain)
     * and the matching channels of its batch norms and consumer, replacing the modules in place.
     */
    public static void apply(Module model, Map<String, int[]> keep) {
        Map<String, Chain> byProducer = new LinkedHashMap<>();
        chains(model).forEach(c -> byProducer.put(c.producer(), c));
        Map<String, int[]> keepOut = new LinkedHashMap<>();
        Map<String, int[]> keepIn = new LinkedHashMap<>();
        for (var e : keep.entrySet()) {
            Chain c = byProducer.get(e.getKey());
            if (c == null) {
                throw new IllegalArgumentException("ChannelPruning: '" + e.getKey() + "' is not a prunable producer "
                        + "(prunable: " + byProducer.keySet() + ")");
            }
            int[] k = e.getValue();
            int size = outChannels(model.getSubmodule(c.producer()));
            if (k.length == 0 || Arrays.stream(k).anyMatch(i -> i < 0 || i >= size)) {
                throw new IllegalArgumentException("ChannelPruning: channels to keep of '" + e.getKey()
                        + "' must be 1.." + size + " indices in [0, " + size + "), got " + k.length);
            }
            keepOut.put(c.producer(), k);
            c.batchNorms().forEach(b -> keepOut.put(b, k));
            int[] in = new int[k.length * c.spatial()];
            for (int i = 0; i < k.length; i++) {
                for (int s = 0; s < c.spatial(); s++) {
                    in[i * c.spatial() + s] = k[i] * c.spatial() + s;
                }
            }
            keepIn.put(c.consumer(), in);
        }
        Set<String> paths = new java.util.LinkedHashSet<>(keepOut.keySet());
        paths.addAll(keepIn.keySet());
        Map<String, Module> modules = model.namedModules();
        for (String path : paths) {
            Module old = modules.get(path);
            Module small = shrink(old, keepOut.get(path), keepIn.get(path));
            small.train(old.isTraining());
            model.replaceModule(path, small);
        }
    }

    /** A new layer with only the given output (null: all) and input (null: all) channels, values copied. */
    private static Module shrink(Module old, int[] out, int[] in) {
        Map<String, Tensor> sd = old.stateDict();
        Map<String, Tensor> small = new LinkedHashMap<>();
        Module m;
        if (old instanceof BatchNorm bn) {
            m = old instanceof BatchNorm2d
                    ? new BatchNorm2d(bn.options().withNumFeatures(out.length))
                    : new BatchNorm1d(bn.options().withNumFeatures(out.length));
            sd.forEach((k, v) -> small.put(k, v.dim() == 1 ? slice(v, 0, out) : v));
        } else {
            int nOut = out != null ? out.length : outChannels(old);
            int nIn = in != null ? in.length : inChannels(old);
            if (old instanceof Conv2d c) {
                m = new Conv2d(c.options().withInChannels(nIn).withOutChannels(nOut));
            } else {
                Linear l = (Linear) old;
                m = new Linear(nIn, nOut, l.bias() != null);
            }
            sd.forEach((k, v) -> {
                Tensor t = out != null ? slice(v, 0, out) : v;
                if (k.equals("weight") && in != null) {
                    t = slice(t, 1, in);
                }
                small.put(k, t);
            });
        }
        m.loadStateDict(small);
        boolean grads = old.parameters().stream().allMatch(Tensor::requiresGrad);
        if (!grads) {
            m.requiresGrad(false);
        }
        return m;
    }

    /** The given indices of dim (0 or 1) of t. */
    private static Tensor slice(Tensor t, int dim, int[] idx) {
        int[] shape = t.shape();
        float[] src = t.toFloatArray();
        int inner = 1;
        for (int i = dim + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int size = shape[dim];
        int outer = src.length / (size * inner);
        float[] dst = new float[outer * idx.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < idx.length; j++) {
                System.arraycopy(src, (o * size + idx[j]) * inner, dst, (o * idx.length + j) * inner, inner);
            }
        }
        int[] ns = shape.clone();
        ns[dim] = idx.length;
        return Torch.tensor(dst, ns).to(t.dtype());
    }
}
