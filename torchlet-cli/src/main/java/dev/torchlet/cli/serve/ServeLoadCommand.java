package dev.torchlet.cli.serve;

import dev.torchlet.serve.load.LoadGenerator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet serve-load}: throughput and latency of a running {@code torchlet serve} under closed-loop load. */
@Command(
        name = "serve-load",
        mixinStandardHelpOptions = true,
        description = {
            "Load-tests a running server: at each concurrency, that many clients send v2 infer requests (one sample",
            "each, binary tensors unless --json) back to back; prints req/s, p50, p99 and mean latency and errors."
        })
public final class ServeLoadCommand implements Callable<Integer> {
    @Option(
            names = "--url",
            defaultValue = "http://127.0.0.1:8080",
            description = "Server (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--model", required = true, description = "Model name on the server.")
    String model;

    @Option(
            names = "--concurrency",
            split = ",",
            defaultValue = "1,8,32,128",
            description = "Concurrency levels (default: ${DEFAULT-VALUE}).")
    List<Integer> levels;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per level (default: 10).")
    double seconds;

    @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured seconds before each level (default: 3).")
    double warmup;

    @Option(names = "--json", description = "Send JSON tensors instead of the binary extension.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var gen = new LoadGenerator(url, model, json);
        gen.sweep(levels.stream().mapToInt(Integer::intValue).toArray(), warmup, seconds, System.out);
        return 0;
    }
}
