package dev.torchlet.cli.serve;

import dev.torchlet.serve.BatchOptions;
import dev.torchlet.serve.InferenceServer;
import dev.torchlet.serve.ServeOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet serve}: models over HTTP with the Open Inference Protocol (KServe v2) and dynamic batching. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serves models over HTTP: the Open Inference Protocol (KServe v2: /v2/health/*, /v2/models/NAME[/infer],",
            "binary tensors, /v2/repository/*), POST /v1/models/NAME/classify and /explain for images, GET /metrics.",
            "Requests for a model are batched dynamically. SPEC: a `torchlet train` checkpoint (Fashion-MNIST),",
            "zoo:NAME (random weights) or zoo:NAME:pretrained (the registry's DEFAULT weights, found locally).",
            "Ctrl-C or SIGTERM stops gracefully: requests in flight finish first."
        })
public final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "NAME=SPEC",
            description = "A model to serve (repeatable).")
    List<String> models;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0: any free).")
    int port;

    @Option(names = "--max-batch-size", defaultValue = "16", description = "Samples per batch (default: 16; 1: off).")
    int maxBatchSize;

    @Option(
            names = "--max-delay-ms",
            defaultValue = "5",
            description = "Longest wait for a batch to fill (default: 5).")
    double maxDelayMs;

    @Option(names = "--queue-capacity", defaultValue = "256", description = "Waiting requests per model before 503s.")
    int queueCapacity;

    @Option(
            names = "--instances",
            defaultValue = "1",
            description = "Batches of one model that may run at once (default: 1; each uses all cores).")
    int instances;

    @Option(
            names = "--batching",
            paramLabel = "NAME=SIZE/DELAY_MS",
            description = "Per-model batching, e.g. fmnist=32/2 (repeatable; others use the options above).")
    List<String> perModel = List.of();

    @Option(names = "--workers", description = "Inference threads shared by the models (default: the cores).")
    Integer workers;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "Per-request time limit (default: 30000).")
    long timeoutMs;

    @Option(names = "--max-body-mb", defaultValue = "64", description = "Largest request body (default: 64 MiB).")
    long maxBodyMb;

    @Option(names = "--token", description = "Bearer token required by /v2/repository/models/*/load and unload.")
    String token;

    @Option(
            names = "--no-access-log",
            description = "Do not print one JSON line per request (access log) to standard output.")
    boolean noAccessLog;

    @Override
    public Integer call() throws Exception {
        Map<String, String> specs = new LinkedHashMap<>();
        for (String m : models) {
            String[] kv = split(m, "--model");
            if (specs.put(kv[0], kv[1]) != null) {
                throw new IllegalArgumentException("--model: name '" + kv[0] + "' given twice");
            }
        }
        BatchOptions defaults = new BatchOptions(maxBatchSize, maxDelayMs, queueCapacity, instances);
        Map<String, BatchOptions> batching = new LinkedHashMap<>();
        for (String b : perModel) {
            String[] kv = split(b, "--batching");
            String[] sd = kv[1].split("/");
            if (sd.length != 2 || !specs.containsKey(kv[0])) {
                throw new IllegalArgumentException(
                        "--batching must be NAME=SIZE/DELAY_MS for a --model NAME, got '" + b + "'");
            }
            batching.put(
                    kv[0],
                    new BatchOptions(Integer.parseInt(sd[0]), Double.parseDouble(sd[1]), queueCapacity, instances));
        }
        var options = new ServeOptions(
                host,
                port,
                workers != null ? workers : Runtime.getRuntime().availableProcessors(),
                timeoutMs,
                maxBodyMb << 20,
                token,
                defaults,
                !noAccessLog);
        InferenceServer server = new InferenceServer(new CliModelLoader(), options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("torchlet serve: stopping (finishing requests in flight)...");
            server.stop(30_000);
            stopped.countDown();
        }));
        server.start(specs, batching);
        System.out.println("torchlet serve: http://" + host + ":" + server.port() + " models " + specs.keySet()
                + " (max batch " + maxBatchSize + ", max delay " + maxDelayMs + " ms); Ctrl-C stops");
        stopped.await();
        return 0;
    }

    private static String[] split(String kv, String option) {
        int eq = kv.indexOf('=');
        if (eq <= 0 || eq == kv.length() - 1) {
            throw new IllegalArgumentException(option + " must be NAME=VALUE, got '" + kv + "'");
        }
        return new String[] {kv.substring(0, eq), kv.substring(eq + 1)};
    }
}
