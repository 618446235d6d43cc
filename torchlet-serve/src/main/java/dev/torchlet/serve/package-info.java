/**
 * Model serving: an HTTP server that speaks the Open Inference Protocol (KServe v2, the protocol of
 * Triton, KServe, Seldon MLServer and OpenVINO Model Server) with its binary-data and model-repository
 * extensions, plus {@code /v1/models/{name}/classify} and {@code /explain} for images.
 *
 * <p>Pieces: {@link dev.torchlet.serve.ServedModel} (a model and how to feed it) and
 * {@link dev.torchlet.serve.ModelLoader} (spec string to model; the CLI provides it, so this module does not
 * depend on the CLI); {@link dev.torchlet.serve.ModelRepository} holds the loaded models and swaps them
 * atomically on reload; {@link dev.torchlet.serve.Batcher} is the dynamic batcher of one model;
 * {@link dev.torchlet.serve.InferenceServer} wires the routes; {@code WebPageRoutes} serves the web page at
 * {@code /} (HTML, CSS and JavaScript under {@code resources/dev/torchlet/serve/web/}, calling only the public
 * endpoints).
 *
 * <p>Why Helidon SE 4: its web server is built on virtual threads (Níma), so a handler simply blocks while
 * its request waits in the batch queue, with no reactive plumbing and no thread pool to size; it is a small
 * dependency set (no servlet container, no Netty) on Maven Central, supports Java 21+ and starts in well under a
 * second. Javalin 7 would have brought Jetty 12; both would do, Helidon is the smaller and blocking-friendly
 * one.
 */
package dev.torchlet.serve;
