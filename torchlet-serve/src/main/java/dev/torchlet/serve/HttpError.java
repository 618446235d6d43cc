package dev.torchlet.serve;

/** A request that fails with an HTTP status and a message for the client's {@code {"error": ...}}. */
public final class HttpError extends RuntimeException {
    private final int status;
    private final Integer retryAfterSeconds;

    public HttpError(int status, String message) {
        this(status, message, null);
    }

    public HttpError(int status, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    /** Seconds for a Retry-After header (503s), or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }
}
