package dev.torchlet.cli.compress;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.Evaluation;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the compress commands compare: parameter counts, the weights' file size, median latency of
 * one eval-mode forward at batch 1 and 64 (no gradient), and test accuracy.
 */
record ModelStats(
        String label,
        long parameters,
        long nonzero,
        long fileBytes,
        double latency1Ms,
        double latency64Ms,
        double accuracy) {

    /** Counts and accuracy now; latencies later, all models interleaved ({@link #withLatencies}). */
    static ModelStats measure(String label, Module model, long fileBytes, double accuracy) {
        long params = 0;
        long nonzero = 0;
        for (Tensor p : model.parameters()) {
            params += p.numel();
            for (float v : p.toFloatArray()) {
                nonzero += v != 0f ? 1 : 0;
            }
        }
        return new ModelStats(label, params, nonzero, fileBytes, Double.NaN, Double.NaN, accuracy);
    }

    /**
     * Counts for a quantized model, whose weights are buffers: every element of a state-dict tensor named
     * {@code *weight} or {@code *bias} (int8 weights and float biases; not scales and zero points).
     */
    static ModelStats measureQuantized(String label, Module model, long fileBytes, double accuracy) {
        long params = 0;
        long nonzero = 0;
        for (var e : model.stateDict().entrySet()) {
            if (e.getKey().endsWith("weight") || e.getKey().endsWith("bias")) {
                params += e.getValue().numel();
                for (float v : e.getValue().toFloatArray()) {
                    nonzero += v != 0f ? 1 : 0;
                }
            }
        }
        return new ModelStats(label, params, nonzero, fileBytes, Double.NaN, Double.NaN, accuracy);
    }

    /**
     * The stats with latencies at batch 1 and 64, measured in 3 interleaved rounds over the models (so
     * load changes and JIT warm-up hit all alike), the median per model.
     */
    static List<ModelStats> withLatencies(List<ModelStats> stats, List<Module> models) {
        int n = models.size();
        double[][] b1 = new double[n][3];
        double[][] b64 = new double[n][3];
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < n; i++) {
                b1[i][round] = latencyMs(models.get(i), 1);
                b64[i][round] = latencyMs(models.get(i), 64);
            }
        }
        List<ModelStats> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            java.util.Arrays.sort(b1[i]);
            java.util.Arrays.sort(b64[i]);
            ModelStats s = stats.get(i);
            out.add(new ModelStats(
                    s.label(), s.parameters(), s.nonzero(), s.fileBytes(), b1[i][1], b64[i][1], s.accuracy()));
        }
        return out;
    }

    /** Median of timed forwards after a warm-up of at least 3 runs and 0.1 s: at least 5 runs and about 0.2 s. */
    static double latencyMs(Module model, int batch) {
        model.eval();
        Tensor x = Torch.randn(batch, 1, 28, 28);
        List<Double> times = new ArrayList<>();
        try (var g = Torch.noGrad()) {
            long warm = System.nanoTime();
            for (int i = 0; i < 3 || System.nanoTime() - warm < 100_000_000L; i++) {
                model.call(x);
            }
            long start = System.nanoTime();
            while (times.size() < 5 || System.nanoTime() - start < 200_000_000L && times.size() < 500) {
                long t0 = System.nanoTime();
                model.call(x);
                times.add((System.nanoTime() - t0) * 1e-6);
            }
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    /** The before/after table; the last column compares the last model with the first. */
    static String table(List<ModelStats> models) {
        StringBuilder sb = new StringBuilder();
        ModelStats a = models.get(0);
        ModelStats b = models.get(models.size() - 1);
        String fmt = "%-20s" + "%16s".repeat(models.size()) + "%18s%n";
        List<Object> head = new ArrayList<>(List.of(""));
        models.forEach(m -> head.add(m.label()));
        head.add("change");
        sb.append(String.format(Locale.ROOT, fmt, head.toArray()));
        row(
                sb,
                fmt,
                "parameters",
                models,
                m -> String.format(Locale.ROOT, "%,d", m.parameters()),
                ratio(b.parameters(), a.parameters()));
        row(
                sb,
                fmt,
                "nonzero parameters",
                models,
                m -> String.format(Locale.ROOT, "%,d", m.nonzero()),
                ratio(b.nonzero(), a.nonzero()));
        row(
                sb,
                fmt,
                "file size",
                models,
                m -> String.format(Locale.ROOT, "%.1f KB", m.fileBytes() / 1024.0),
                ratio(b.fileBytes(), a.fileBytes()));
        row(
                sb,
                fmt,
                "latency batch 1",
                models,
                m -> String.format(Locale.ROOT, "%.3f ms", m.latency1Ms()),
                speedup(a.latency1Ms(), b.latency1Ms()));
        row(
                sb,
                fmt,
                "latency batch 64",
                models,
                m -> String.format(Locale.ROOT, "%.2f ms", m.latency64Ms()),
                speedup(a.latency64Ms(), b.latency64Ms()));
        row(
                sb,
                fmt,
                "test accuracy",
                models,
                m -> String.format(Locale.ROOT, "%.2f%%", 100 * m.accuracy()),
                String.format(Locale.ROOT, "%+.2f pt", 100 * (b.accuracy() - a.accuracy())));
        return sb.toString();
    }

    private static void row(
            StringBuilder sb,
            String fmt,
            String name,
            List<ModelStats> models,
            java.util.function.Function<ModelStats, String> cell,
            String change) {
        List<Object> cells = new ArrayList<>(List.of(name));
        models.forEach(m -> cells.add(cell.apply(m)));
        cells.add(change);
        sb.append(String.format(Locale.ROOT, fmt, cells.toArray()));
    }

    private static String ratio(long after, long before) {
        return before == 0 ? "" : String.format(Locale.ROOT, "%+.1f%%", 100.0 * (after - before) / before);
    }

    private static String speedup(double before, double after) {
        return String.format(Locale.ROOT, "%.2fx faster", before / after);
    }

    /** Accuracy of a model on the given test loader (eval mode, no gradient). */
    static double accuracy(Module model, CompressData data) {
        return Evaluation.run(model, data.testLoader(), data.classes()).accuracy();
    }
}
