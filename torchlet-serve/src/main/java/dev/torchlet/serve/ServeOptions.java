package dev.torchlet.serve;

/**
 * Server-wide settings.
 *
 * @param host            address to bind (127.0.0.1 unless told otherwise)
 * @param port            0 picks a free port
 * @param workers         inference threads shared by all models (default: the cores)
 * @param requestTimeoutMs how long a request may wait for its result before a 504
 * @param maxBodyBytes    larger request bodies get 413
 * @param token           bearer token required by repository load/unload (null: none)
 * @param batching        batching of models that have no options of their own
 * @param accessLog       one JSON line per request to standard output
 */
public record ServeOptions(
        String host,
        int port,
        int workers,
        long requestTimeoutMs,
        long maxBodyBytes,
        String token,
        BatchOptions batching,
        boolean accessLog) {
    public ServeOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (requestTimeoutMs < 1) {
            throw new IllegalArgumentException("request timeout must be at least 1 ms, got " + requestTimeoutMs);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("max body size must be at least 1024 bytes, got " + maxBodyBytes);
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
    }

    /** Loopback, port 8080, workers = cores, 30 s timeout, 64 MiB bodies, no token, default batching, log on. */
    public static ServeOptions defaults() {
        return new ServeOptions(
                "127.0.0.1",
                8080,
                Runtime.getRuntime().availableProcessors(),
                30_000,
                64L << 20,
                null,
                BatchOptions.defaults(),
                true);
    }

    public ServeOptions withPort(int p) {
        return new ServeOptions(host, p, workers, requestTimeoutMs, maxBodyBytes, token, batching, accessLog);
    }

    public ServeOptions withToken(String t) {
        return new ServeOptions(host, port, workers, requestTimeoutMs, maxBodyBytes, t, batching, accessLog);
    }

    public ServeOptions withBatching(BatchOptions b) {
        return new ServeOptions(host, port, workers, requestTimeoutMs, maxBodyBytes, token, b, accessLog);
    }

    public ServeOptions withLimits(long timeoutMs, long bodyBytes) {
        return new ServeOptions(host, port, workers, timeoutMs, bodyBytes, token, batching, accessLog);
    }

    public ServeOptions withAccessLog(boolean on) {
        return new ServeOptions(host, port, workers, requestTimeoutMs, maxBodyBytes, token, batching, on);
    }
}
