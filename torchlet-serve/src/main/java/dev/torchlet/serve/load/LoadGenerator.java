package dev.torchlet.serve.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A closed-loop load generator for a running server: C clients (virtual threads) each send v2 infer requests
 * with one random sample back to back for a fixed time, after a warm-up; reports throughput and latency
 * percentiles per concurrency level. The input shape comes from the model's metadata; the body is the
 * binary tensor extension (default) or JSON.
 *
 * <pre>java ... dev.torchlet.serve.load.LoadGenerator http://127.0.0.1:8080 MODEL [1,8,32,128] [SECONDS] [json]</pre>
 */
public final class LoadGenerator {
    /** One concurrency level's outcome; errors counts non-200 answers (by status) and failed connections. */
    public record Result(
            String model,
            int concurrency,
            int requests,
            double seconds,
            double p50Ms,
            double p99Ms,
            double meanMs,
            Map<String, Integer> errors) {
        public double throughput() {
            return requests / seconds;
        }

        public String row() {
            return String.format(
                    java.util.Locale.ROOT,
                    "%-12s %5d %9.1f %9.2f %9.2f %9.2f  %s",
                    model,
                    concurrency,
                    throughput(),
                    p50Ms,
                    p99Ms,
                    meanMs,
                    errors.isEmpty() ? "-" : errors.toString());
        }

        public static String header() {
            return String.format(
                    "%-12s %5s %9s %9s %9s %9s  %s", "model", "conc", "req/s", "p50 ms", "p99 ms", "mean ms", "errors");
        }
    }

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    private final String base;
    private final String model;
    private final boolean json;
    private final byte[] body;
    private final String headerLength;

    public LoadGenerator(String baseUrl, String model, boolean json) throws IOException, InterruptedException {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.model = model;
        this.json = json;
        int[] shape = inputShape();
        int numel = shape[0] * shape[1] * shape[2];
        float[] x = new float[numel];
        Random r = new Random(0);
        for (int i = 0; i < numel; i++) {
            x[i] = (float) r.nextGaussian();
        }
        String dims = "[1," + shape[0] + "," + shape[1] + "," + shape[2] + "]";
        if (json) {
            StringBuilder sb = new StringBuilder(
                    "{\"inputs\":[{\"name\":\"input\",\"shape\":" + dims + ",\"datatype\":\"FP32\",\"data\":[");
            for (int i = 0; i < numel; i++) {
                sb.append(i == 0 ? "" : ",").append(x[i]);
            }
            body = sb.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
            headerLength = null;
        } else {
            byte[] head = ("{\"inputs\":[{\"name\":\"input\",\"shape\":" + dims + ",\"datatype\":\"FP32\","
                            + "\"parameters\":{\"binary_data_size\":" + 4 * numel + "}}],"
                            + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}")
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(head.length + 4 * numel).order(ByteOrder.LITTLE_ENDIAN);
            b.put(head);
            b.asFloatBuffer().put(x);
            body = b.array();
            headerLength = Integer.toString(head.length);
        }
    }

    private int[] inputShape() throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create(base + "/v2/models/" + model)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /v2/models/" + model + ": " + r.statusCode() + " " + r.body());
        }
        JsonNode shape =
                new ObjectMapper().readTree(r.body()).path("inputs").path(0).path("shape");
        if (shape.size() != 4) {
            throw new IOException("model '" + model + "': expected an input shape [-1, C, H, W], got " + shape);
        }
        return new int[] {
            shape.get(1).asInt(), shape.get(2).asInt(), shape.get(3).asInt()
        };
    }

    private HttpRequest request() {
        var b = HttpRequest.newBuilder(URI.create(base + "/v2/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (json) {
            b.header("Content-Type", "application/json");
        } else {
            b.header("Content-Type", "application/octet-stream")
                    .header("Inference-Header-Content-Length", headerLength);
        }
        return b.build();
    }

    /** Runs `concurrency` clients for warmupSeconds (not measured), then for seconds (measured). */
    public Result run(int concurrency, double warmupSeconds, double seconds) throws Exception {
        drive(concurrency, warmupSeconds);
        long[][] latencies = new long[1][];
        Map<String, Integer> errors = new TreeMap<>();
        long t0 = System.nanoTime();
        latencies[0] = drive(concurrency, seconds, errors);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long[] l = latencies[0];
        Arrays.sort(l);
        double mean = l.length == 0 ? 0 : Arrays.stream(l).average().orElse(0) / 1e6;
        return new Result(model, concurrency, l.length, elapsed, pct(l, 0.50), pct(l, 0.99), mean, errors);
    }

    private void drive(int concurrency, double seconds) throws Exception {
        drive(concurrency, seconds, new TreeMap<>());
    }

    /** Latencies (ns) of the 200 answers; other outcomes are counted in errors. */
    private long[] drive(int concurrency, double seconds, Map<String, Integer> errors) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        Map<String, AtomicInteger> errs = new ConcurrentHashMap<>();
        List<Future<long[]>> clients = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < concurrency; c++) {
                clients.add(pool.submit(() -> {
                    long[] lat = new long[1024];
                    int n = 0;
                    HttpRequest req = request();
                    while (System.nanoTime() < end) {
                        long s = System.nanoTime();
                        try {
                            HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                            if (r.statusCode() != 200) {
                                errs.computeIfAbsent(Integer.toString(r.statusCode()), k -> new AtomicInteger())
                                        .incrementAndGet();
                                continue;
                            }
                        } catch (IOException e) {
                            errs.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger())
                                    .incrementAndGet();
                            continue;
                        }
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, 2 * n);
                        }
                        lat[n++] = System.nanoTime() - s;
                    }
                    return Arrays.copyOf(lat, n);
                }));
            }
            List<long[]> all = new ArrayList<>();
            for (var f : clients) {
                all.add(f.get());
            }
            errs.forEach((k, v) -> errors.put(k, v.get()));
            return all.stream().flatMapToLong(Arrays::stream).toArray();
        }
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** Runs every concurrency level in turn and prints a table. */
    public List<Result> sweep(int[] levels, double warmupSeconds, double seconds, PrintStream out) throws Exception {
        out.println(Result.header());
        List<Result> results = new ArrayList<>();
        for (int c : levels) {
            Result r = run(c, warmupSeconds, seconds);
            out.println(r.row());
            results.add(r);
        }
        return results;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: LoadGenerator BASE_URL MODEL [LEVELS=1,8,32,128] [SECONDS=10] [json]");
            System.exit(2);
        }
        int[] levels = Arrays.stream((args.length > 2 ? args[2] : "1,8,32,128").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        boolean json = args.length > 4 && args[4].equals("json");
        new LoadGenerator(args[0], args[1], json).sweep(levels, Math.min(3, seconds / 2), seconds, System.out);
    }
}
