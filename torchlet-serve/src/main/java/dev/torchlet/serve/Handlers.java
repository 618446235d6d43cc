package dev.torchlet.serve;

import io.helidon.webserver.http.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Wraps route handlers so every failure becomes a JSON {@code {"error": ...}} with the right status. */
final class Handlers {
    private static final Logger LOG = Logger.getLogger(Handlers.class.getName());

    private Handlers() {}

    static Handler safe(Handler handler) {
        return (req, res) -> {
            try {
                handler.handle(req, res);
            } catch (HttpError e) {
                if (!res.isSent()) {
                    Json.sendError(res, e);
                }
            } catch (Exception | Error e) {
                LOG.log(
                        Level.WARNING,
                        "request " + req.prologue().method() + " " + req.path().path() + " failed",
                        e);
                if (!res.isSent()) {
                    Json.sendError(res, new HttpError(500, "internal error: " + e));
                }
            }
        };
    }
}
