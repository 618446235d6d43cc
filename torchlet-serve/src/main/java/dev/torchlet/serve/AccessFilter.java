package dev.torchlet.serve;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Around every request: the in-flight gauge, the request metric (model, endpoint, status, latency) and one
 * access-log line of JSON: {@code {"ts":"...","method":"POST","path":"/v2/models/m/infer","status":200,
 * "ms":3.1,"model":"m"}}. While the server drains for shutdown, new requests get 503.
 */
final class AccessFilter implements Filter {
    private static final Pattern MODEL_PATH =
            Pattern.compile("^/v[12]/(?:models|repository/models)/([^/]+)(?:/versions/[^/]+)?(?:/([a-z]+))?$");

    private final ServerMetrics metrics;
    private final PrintStream log;
    private final Predicate<String> knownModel;
    private volatile boolean draining;

    AccessFilter(ServerMetrics metrics, PrintStream log, Predicate<String> knownModel) {
        this.metrics = metrics;
        this.log = log;
        this.knownModel = knownModel;
    }

    void drain() {
        draining = true;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long t0 = System.nanoTime();
        metrics.inFlight().incrementAndGet();
        String path = req.path().path();
        try {
            if (draining) {
                Json.sendError(res, new HttpError(503, "server is shutting down", 1));
            } else {
                chain.proceed();
            }
        } finally {
            metrics.inFlight().decrementAndGet();
            long nanos = System.nanoTime() - t0;
            int status = res.status().code();
            Matcher m = MODEL_PATH.matcher(path);
            String model = m.matches() ? m.group(1) : "";
            String endpoint = endpoint(path, m);
            // unknown names stay out of the metric labels: arbitrary paths must not create time series
            metrics.request(knownModel.test(model) ? model : "", endpoint, status, nanos);
            if (log != null) {
                log.println(String.format(
                        Locale.ROOT,
                        "{\"ts\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"ms\":%.2f,\"model\":\"%s\"}",
                        java.time.Instant.now(),
                        req.prologue().method().text(),
                        path.replace("\"", "%22"),
                        status,
                        nanos / 1e6,
                        model.replace("\"", "%22")));
            }
        }
    }

    /** A small fixed set of endpoint names, so the metric's label values stay bounded. */
    private static String endpoint(String path, Matcher m) {
        if (m.matches()) {
            String op = m.group(2);
            boolean repo = path.startsWith("/v2/repository/");
            if (op == null) {
                return "metadata";
            }
            return switch (op) {
                case "infer", "classify", "explain", "ready" -> op;
                case "load", "unload" -> repo ? op : "other";
                default -> "other";
            };
        }
        return switch (path) {
            case "/v2/health/live", "/v2/health/ready" -> "health";
            case "/v2" -> "server_metadata";
            case "/v2/repository/index" -> "index";
            case "/metrics" -> "metrics";
            default -> "other";
        };
    }
}
