package dev.torchlet.serve;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The served models by name. Loading builds and warms the new version completely, then swaps one reference;
 * requests read that reference once, so a reload never fails a request: queued ones finish on the old version
 * (its batcher drains before it stops), new ones go to the new version. Unloading swaps in nothing.
 */
public final class ModelRepository implements AutoCloseable {
    /** One row of the repository index. */
    public record IndexEntry(String name, String version, ModelState state, String reason) {}

    private static final class Entry {
        final AtomicReference<LoadedModel> current = new AtomicReference<>();
        volatile ModelState state = ModelState.UNAVAILABLE;
        volatile String reason = "";
        volatile BatchOptions batching;
        volatile String spec;
        int versions;
    }

    private final ModelLoader loader;
    private final ServerMetrics metrics;
    private final BatchOptions defaultBatching;
    private final Map<String, Entry> entries = new ConcurrentSkipListMap<>();
    private final ExecutorService workers;
    private final Semaphore freeWorkers;

    public ModelRepository(ModelLoader loader, ServerMetrics metrics, BatchOptions defaultBatching, int workers) {
        this.loader = loader;
        this.metrics = metrics;
        this.defaultBatching = defaultBatching;
        this.workers = Executors.newFixedThreadPool(
                workers, Thread.ofPlatform().daemon(true).name("inference-", 0).factory());
        this.freeWorkers = new Semaphore(workers);
    }

    /**
     * Loads (or reloads) a model from a spec; a null spec reloads the last one, null batching keeps the last
     * options. Returns once the new version is warmed and serving. On failure an already loaded version keeps
     * serving and the error is thrown (HttpError 400 naming the spec).
     */
    public void load(String name, String spec, BatchOptions batching) {
        Entry e = entries.computeIfAbsent(name, n -> new Entry());
        synchronized (e) {
            String useSpec = spec != null ? spec : e.spec;
            if (useSpec == null) {
                throw HttpError.badRequest("model '" + name + "': no spec given and none loaded before; pass "
                        + "{\"parameters\": {\"spec\": \"...\"}}");
            }
            BatchOptions options = batching != null ? batching : e.batching != null ? e.batching : defaultBatching;
            if (e.current.get() == null) {
                e.state = ModelState.LOADING;
            }
            ServedModel model;
            try {
                model = loader.load(name, useSpec);
                warm(model, options.maxBatchSize());
            } catch (Exception | Error ex) {
                e.state = e.current.get() != null ? ModelState.READY : ModelState.UNAVAILABLE;
                e.reason = "load of '" + useSpec + "' failed: " + ex.getMessage();
                if (e.current.get() == null && e.spec == null) {
                    entries.remove(name); // never loaded: do not list it
                }
                throw new HttpError(400, "model '" + name + "': cannot load '" + useSpec + "': " + ex.getMessage());
            }
            var lock = new ReentrantReadWriteLock();
            Batcher batcher = new Batcher(model, options, workers, freeWorkers, lock, metrics.batchSizes(name));
            LoadedModel old =
                    e.current.getAndSet(new LoadedModel(model, Integer.toString(++e.versions), batcher, lock));
            e.spec = useSpec;
            e.batching = options;
            e.state = ModelState.READY;
            e.reason = "";
            metrics.queueDepth(name, e, en -> {
                LoadedModel m = en.current.get();
                return m == null ? 0 : m.batcher().queueDepth();
            });
            if (old != null) {
                old.batcher().close(); // its queued requests still run
            }
        }
    }

    /** Stops serving a model (queued requests still finish); 404 when the name is unknown. */
    public void unload(String name) {
        Entry e = entry(name);
        synchronized (e) {
            LoadedModel old = e.current.getAndSet(null);
            e.state = ModelState.UNAVAILABLE;
            e.reason = "unloaded";
            if (old != null) {
                old.batcher().close();
            }
        }
    }

    /** The serving version: 404 for an unknown name, 503 when it is not loaded. */
    public LoadedModel get(String name) {
        Entry e = entry(name);
        LoadedModel m = e.current.get();
        if (m == null) {
            throw new HttpError(
                    503,
                    "model '" + name + "' is not ready (state " + e.state + (e.reason.isEmpty() ? "" : ", " + e.reason)
                            + ")",
                    1);
        }
        return m;
    }

    public boolean isReady(String name) {
        return entry(name).current.get() != null;
    }

    /** Queues samples (n, C, H, W) for a model, following a reload that happens meanwhile; 503 on a full queue. */
    InferenceJob submit(String name, Tensor input) {
        InferenceJob job = new InferenceJob(input);
        while (true) {
            LoadedModel m = get(name);
            switch (m.batcher().submit(job)) {
                case ACCEPTED -> {
                    return job;
                }
                case QUEUE_FULL ->
                    throw new HttpError(
                            503,
                            "model '" + name + "': queue full ("
                                    + m.batcher().options().queueCapacity() + " requests waiting); retry later",
                            1);
                case CLOSED -> Thread.onSpinWait(); // a reload swapped versions: submit to the new one
            }
        }
    }

    /** All known models with their state, by name. */
    public List<IndexEntry> index() {
        List<IndexEntry> out = new ArrayList<>();
        entries.forEach((name, e) -> {
            LoadedModel m = e.current.get();
            out.add(new IndexEntry(name, m == null ? "" : m.version(), e.state, e.reason));
        });
        return out;
    }

    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    /** True when every known model is loaded (and there is at least one). */
    public boolean allReady() {
        return !entries.isEmpty() && entries.values().stream().allMatch(e -> e.current.get() != null);
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new HttpError(
                    404,
                    "unknown model '" + name + "'; known models: "
                            + (entries.isEmpty() ? "(none)" : String.join(", ", entries.keySet())));
        }
        return e;
    }

    /** Forward passes at batch 1 and at the max batch size, so the JIT has compiled the kernels before ready. */
    private static void warm(ServedModel model, int maxBatch) {
        int[] s = model.inputShape();
        try (var g = Torch.noGrad()) {
            for (int batch : maxBatch == 1 ? new int[] {1} : new int[] {1, maxBatch}) {
                Tensor x = Torch.randn(batch, s[0], s[1], s[2]);
                for (int i = 0; i < 3; i++) {
                    model.module().call(x);
                }
            }
        }
    }

    /** Stops accepting and lets queued requests finish (up to millis), then stops the workers. */
    public void drainAndClose(long millis) throws InterruptedException {
        List<Batcher> batchers = new ArrayList<>();
        for (Entry e : entries.values()) {
            LoadedModel m = e.current.get();
            if (m != null) {
                m.batcher().close();
                batchers.add(m.batcher());
            }
        }
        long deadline = System.currentTimeMillis() + millis;
        for (Batcher b : batchers) {
            b.awaitDrained(Math.max(1, deadline - System.currentTimeMillis()));
        }
        workers.shutdown();
        workers.awaitTermination(
                Math.max(1, deadline - System.currentTimeMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            drainAndClose(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }
}
