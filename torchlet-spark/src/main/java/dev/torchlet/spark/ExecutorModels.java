package dev.torchlet.spark;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Module;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The models an executor JVM has built, so that weights are read (from a file or a broadcast) once per JVM, not
 * once per partition. Each key holds the weights and a pool of ready instances: concurrent tasks of one executor
 * borrow separate instances (a forward hook of a feature extractor is per instance), and every instance shares
 * the same loaded weights. The least recently used keys are dropped beyond {@link #MAX_KEYS}.
 */
public final class ExecutorModels {
    /** Distinct models (spec + weights source) kept per JVM. */
    static final int MAX_KEYS = 4;

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>(16, 0.75f, true);

    private ExecutorModels() {}

    /** A borrowed instance; give it back with {@link #close()} when the partition is done. */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private final ModelArchitecture model;

        private Lease(Entry entry, ModelArchitecture model) {
            this.entry = entry;
            this.model = model;
        }

        public ModelArchitecture model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (entry) {
                entry.idle.push(model);
            }
        }
    }

    private static final class Entry {
        final Supplier<Map<String, Tensor>> weightsSource;
        Map<String, Tensor> weights; // loaded on first use
        final Deque<ModelArchitecture> idle = new ArrayDeque<>();
        int built;

        Entry(Supplier<Map<String, Tensor>> weightsSource) {
            this.weightsSource = weightsSource;
        }
    }

    /**
     * Borrows an instance of the model under {@code key}, building one (architecture + the key's weights, loaded
     * strictly, eval mode) when none is idle. {@code weights} is asked at most once per key and JVM.
     */
    public static Lease borrow(
            String key, Supplier<ModelArchitecture> architecture, Supplier<Map<String, Tensor>> weights) {
        Entry entry;
        synchronized (ENTRIES) {
            entry = ENTRIES.computeIfAbsent(key, k -> new Entry(weights));
            while (ENTRIES.size() > MAX_KEYS) {
                ENTRIES.remove(ENTRIES.keySet().iterator().next());
            }
        }
        synchronized (entry) {
            if (!entry.idle.isEmpty()) {
                return new Lease(entry, entry.idle.pop());
            }
            if (entry.weights == null) {
                entry.weights = entry.weightsSource.get();
            }
            ModelArchitecture built = architecture.get();
            Module net = built.module();
            net.loadStateDict(entry.weights);
            net.eval();
            entry.built++;
            return new Lease(entry, built);
        }
    }

    /** How many instances were built under key in this JVM (0 when unknown); for tests and logs. */
    public static int instancesBuilt(String key) {
        synchronized (ENTRIES) {
            Entry e = ENTRIES.get(key);
            return e == null ? 0 : e.built;
        }
    }

    /** Forgets every model (tests). */
    public static void clear() {
        synchronized (ENTRIES) {
            ENTRIES.clear();
        }
    }
}
