package dev.torchlet.serve;

import java.util.Map;

/** Starts a real server on an ephemeral loopback port with test models. */
final class ServerFixture implements AutoCloseable {
    final InferenceServer server;
    final Http http;

    ServerFixture(ServeOptions options, Map<String, String> models, Map<String, BatchOptions> batching) {
        server = new InferenceServer(TestModels.LOADER, options.withPort(0).withAccessLog(false))
                .start(models, batching);
        http = new Http(server.port());
    }

    static ServerFixture tiny() {
        return new ServerFixture(ServeOptions.defaults(), Map.of("tiny", "tiny:1"), Map.of());
    }

    String metric(String line) {
        return server.metrics()
                .scrape()
                .lines()
                .filter(l -> l.startsWith(line))
                .findFirst()
                .orElse(null);
    }

    @Override
    public void close() {
        server.stop(5_000);
    }
}
