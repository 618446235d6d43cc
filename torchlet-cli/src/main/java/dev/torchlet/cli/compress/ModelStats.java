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

    static ModelStats measure(String label, Module model, long fileBytes, double accuracy) {
        long params = 0;
        long nonzero = 0;
        for (Tensor p : model.parameters()) {
            params += p.numel();
            for (float v : p.toFloatArray()) {
                nonzero += v != 0f ? 1 : 0;
            }
        }
        return new ModelStats(label, params, nonzero, fileBytes, latencyMs(model, 1), latencyMs(model, 64), accuracy);
    }

    /** Median of timed forwards after warm-up: at least 5 runs and about 0.4 s. */
    static double latencyMs(Module model, int batch) {
        model.eval();
        Tensor x = Torch.randn(batch, 1, 28, 28);
        List<Double> times = new ArrayList<>();
        try (var g = Torch.noGrad()) {
            for (int i = 0; i < 3; i++) {
                model.call(x);
            }
            long start = System.nanoTime();
            while (times.size() < 5 || System.nanoTime() - start < 400_000_000L && times.size() < 500) {
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
