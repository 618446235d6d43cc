package dev.torchlet.cli;

import dev.torchlet.Torch;
import dev.torchlet.cli.bench.Timing;
import dev.torchlet.cli.bench.Workload;
import dev.torchlet.cli.bench.Workloads;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code torchlet bench}: runs the benchmark workloads and prints one {@code name value unit} line each,
 * with the names and definitions of the PyTorch baseline ({@code ../shared/bench/pytorch_bench.py}), so the
 * outputs compare line by line. Timing: 2 warm-up runs (plus {@code --warmup-seconds} of JIT warm-up, see
 * {@link Timing}), then the median of the timed repetitions.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Runs the benchmark workloads; prints one 'name value unit' line per workload.",
            "Names and definitions match ../shared/bench/pytorch_bench.py."})
public final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "NAME", completionCandidates = Names.class,
            description = "Run only these workloads (comma-separated). Available: ${COMPLETION-CANDIDATES}.")
    List<String> only;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
            description = "Intra-op threads (Torch.setNumThreads). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--warmup-seconds", defaultValue = "1.0", paramLabel = "S",
            description = {"Besides the 2 warm-up runs, keep warming up for S seconds so the JIT has compiled",
                "the kernels (0 = the baselines' strict 2-run rule). Default: ${DEFAULT-VALUE}."})
    double warmupSeconds;

    @Option(names = "--list", description = "List the workloads with their definitions and exit.")
    boolean list;

    /** The workload names, for --only's help and completion. */
    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Workloads.names().iterator();
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            for (Workload w : Workloads.all()) {
                out.println(w.name() + "  " + w.description());
            }
            out.flush();
            return 0;
        }
        if (threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "bench: --threads must be at least 1, got " + threads);
        }
        if (!(warmupSeconds >= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "bench: --warmup-seconds must be >= 0, got " + warmupSeconds);
        }
        List<Workload> selected;
        try {
            selected = Workloads.select(only);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Torch.setNumThreads(threads);
        Timing.setJitWarmUpSeconds(warmupSeconds);
        for (Workload w : selected) {
            Workload.Result r = w.run();
            out.println(String.format(Locale.ROOT, "%s %.2f %s", w.name(), r.value(), r.unit()));
            out.flush();
        }
        return 0;
    }
}
