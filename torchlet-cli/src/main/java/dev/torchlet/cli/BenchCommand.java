package dev.torchlet.cli;

import dev.torchlet.Torch;
import dev.torchlet.cli.bench.AotCache;
import dev.torchlet.cli.bench.Timing;
import dev.torchlet.cli.bench.Workload;
import dev.torchlet.cli.bench.Workloads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *
 * <p>With several workloads, each runs in its own JVM (same java, flags and class path), like a training
 * job would: in one shared JVM a workload inherits the JIT profiles of the ones before it (the conv kernels
 * compiled for 56x56 images deoptimized and recompiled inside the MNIST workload's timed runs, measured ~10%
 * slower) and their heap. {@code --same-jvm} runs them all in this process instead.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the benchmark workloads; prints one 'name value unit' line per workload.",
            "Names and definitions match ../shared/bench/pytorch_bench.py."
        })
public final class BenchCommand implements Callable<Integer> {
    /** Set in a workload's own JVM. */
    private static final String CHILD_PROPERTY = "torchlet.bench.child";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--only",
            split = ",",
            paramLabel = "NAME",
            completionCandidates = Names.class,
            description = "Run only these workloads (comma-separated). Available: ${COMPLETION-CANDIDATES}.")
    List<String> only;

    @Option(
            names = "--threads",
            defaultValue = "2",
            paramLabel = "N",
            description = "Intra-op threads (Torch.setNumThreads). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "1.0",
            paramLabel = "S",
            description = {
                "Besides the 2 warm-up runs, keep warming up for at least S seconds, then until the",
                "JIT has been idle for 0.5 s (at most 8 s more), so that it has compiled the kernels",
                "(0 = the baselines' strict 2-run rule). Default: ${DEFAULT-VALUE}."
            })
    double warmupSeconds;

    @Option(names = "--list", description = "List the workloads with their definitions and exit.")
    boolean list;

    @Option(
            names = "--same-jvm",
            description =
                    "Run all workloads in this JVM (default: a fresh JVM per workload " + "when there are several).")
    boolean sameJvm;

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
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "bench: --threads must be at least 1, got " + threads);
        }
        if (!(warmupSeconds >= 0)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "bench: --warmup-seconds must be >= 0, got " + warmupSeconds);
        }
        List<Workload> selected;
        try {
            selected = Workloads.select(only);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        // several workloads: one JVM each; one workload too when it has an AOT cache to record or use
        boolean ownJvm = !sameJvm && (selected.size() > 1 || inLauncherWithAotCaches());
        if (ownJvm) {
            for (Workload w : selected) {
                int code = runInChildJvm(w.name(), out);
                if (code != 0) {
                    return code;
                }
            }
            return 0;
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

    /** Started by the launcher with an AOT cache directory, as a parent (not itself a workload's JVM). */
    private static boolean inLauncherWithAotCaches() {
        return AotCache.forWorkload("x") != null && System.getProperty(CHILD_PROPERTY) == null;
    }

    /**
     * Runs {@code bench --only name} with this command's options in a new JVM (with the workload's AOT cache when
     * the launcher keeps them); forwards its output lines.
     */
    private int runInChildJvm(String name, PrintWriter out) {
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> jvmFlags = AotCache.inheritedJvmFlags();
        AotCache aot = AotCache.forWorkload(name);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmFlags);
        if (aot != null) {
            cmd.addAll(aot.runFlags());
        }
        cmd.add("-D" + CHILD_PROPERTY + "=true");
        String classPath = System.getProperty("java.class.path");
        cmd.addAll(List.of(
                "-cp",
                classPath,
                Main.class.getName(),
                "bench",
                "--only",
                name,
                "--threads",
                Integer.toString(threads),
                "--warmup-seconds",
                Double.toString(warmupSeconds)));
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (!AotCache.isJvmNote(line)) {
                        out.println(line);
                        out.flush();
                    }
                }
            }
            int code = p.waitFor();
            if (code == 0 && aot != null && aot.recording()) {
                aot.finish(java, jvmFlags, classPath);
            }
            if (code != 0) {
                spec.commandLine()
                        .getErr()
                        .println("bench: workload " + name + " failed in its JVM (exit code " + code + ")");
            }
            return code;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "bench: could not start a JVM for workload " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
