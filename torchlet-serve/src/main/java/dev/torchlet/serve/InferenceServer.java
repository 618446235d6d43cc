package dev.torchlet.serve;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The HTTP model server: Helidon SE 4 (one virtual thread per request) with the v2 protocol, the model
 * repository, the image endpoints, {@code GET /metrics} and the web page at {@code /}. Start it with models
 * from specs; stop it with {@link #stop} (stops accepting, lets in-flight and queued requests finish, then closes).
 */
public final class InferenceServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InferenceServer.class.getName());

    private final ServeOptions options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final ModelRepository repository;
    private final AccessFilter access;
    private WebServer server;

    public InferenceServer(ModelLoader loader, ServeOptions options) {
        this.options = options;
        this.repository = new ModelRepository(loader, metrics, options.batching(), options.workers());
        this.access = new AccessFilter(
                metrics,
                options.accessLog() ? System.out : null,
                name -> repository.names().contains(name));
    }

    public ModelRepository repository() {
        return repository;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** Loads the models (name to spec; per-model batching where given, else the server default) and listens. */
    public InferenceServer start(Map<String, String> models, Map<String, BatchOptions> batching) {
        models.forEach((name, spec) -> repository.load(name, spec, batching.get(name)));
        Inference inference = new Inference(repository, options.requestTimeoutMs());
        HttpRouting.Builder routing = HttpRouting.builder();
        routing.addFilter(access);
        new V2Routes(repository, inference, options.maxBodyBytes()).register(routing);
        new RepositoryRoutes(repository, options.token(), options.maxBodyBytes()).register(routing);
        new ImageRoutes(repository, inference, options.maxBodyBytes()).register(routing);
        new WebPageRoutes().register(routing);
        routing.get("/metrics", Handlers.safe((req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.scrape());
        }));
        routing.any(Handlers.safe((req, res) -> {
            throw new HttpError(
                    404,
                    "no endpoint " + req.prologue().method().text() + " "
                            + req.path().path());
        }));
        server = WebServer.builder()
                .host(options.host())
                .port(options.port())
                .shutdownHook(false)
                .addRouting(routing)
                .build()
                .start();
        LOG.info("torchlet serve: listening on http://" + options.host() + ":" + server.port() + " with models "
                + repository.names());
        return this;
    }

    public int port() {
        return server.port();
    }

    /**
     * Graceful stop: new requests get 503, requests in flight (and their queued batches) get up to graceMillis
     * to finish, then the listener and the workers stop.
     */
    public void stop(long graceMillis) {
        access.drain();
        long deadline = System.currentTimeMillis() + graceMillis;
        while (metrics.inFlight().get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (server != null) {
            server.stop();
        }
        repository.close();
    }

    @Override
    public void close() {
        stop(10_000);
    }
}
