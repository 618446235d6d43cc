package dev.torchlet.serve;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

/**
 * The server's Prometheus metrics (Micrometer's Prometheus registry), scraped at {@code GET /metrics}:
 * <ul>
 *   <li>{@code torchlet_serve_requests_seconds} (histogram) by model, endpoint and status;
 *   <li>{@code torchlet_serve_batch_size} (histogram, buckets 1, 2, 4, ... 256) by model;
 *   <li>{@code torchlet_serve_batch_compute_seconds} (summary) by model: the forward pass of a batch;
 *   <li>{@code torchlet_serve_queue_depth} (gauge) by model: requests waiting for the batcher;
 *   <li>{@code torchlet_serve_inflight_requests} (gauge): requests being handled.
 * </ul>
 */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<String> queueGauges = ConcurrentHashMap.newKeySet();

    ServerMetrics() {
        Gauge.builder("torchlet.serve.inflight.requests", inFlight, AtomicInteger::get)
                .description("HTTP requests being handled")
                .register(registry);
    }

    AtomicInteger inFlight() {
        return inFlight;
    }

    void request(String model, String endpoint, int status, long nanos) {
        Timer.builder("torchlet.serve.requests")
                .description("HTTP requests by model, endpoint and status")
                .tags("model", model, "endpoint", endpoint, "status", Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** Where a batcher reports each model call: its samples and how long the forward pass took. */
    interface BatchSink {
        void record(int samples, long nanos);
    }

    /** The batch-size histogram and the model-call timer of one model. */
    BatchSink batchSizes(String model) {
        DistributionSummary summary = DistributionSummary.builder("torchlet.serve.batch.size")
                .description("samples per batched model call")
                .tag("model", model)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
                .register(registry);
        Timer compute = Timer.builder("torchlet.serve.batch.compute")
                .description("time of the batched forward pass (concatenation included)")
                .tag("model", model)
                .register(registry);
        return (samples, nanos) -> {
            summary.record(samples);
            compute.record(Duration.ofNanos(nanos));
        };
    }

    /** Registers the queue-depth gauge of a model once (its value follows reloads through the function). */
    <T> void queueDepth(String model, T source, ToIntFunction<T> depth) {
        if (queueGauges.add(model)) {
            Gauge.builder("torchlet.serve.queue.depth", source, s -> depth.applyAsInt(s))
                    .description("requests waiting for the batcher")
                    .tag("model", model)
                    .register(registry);
        }
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }
}
