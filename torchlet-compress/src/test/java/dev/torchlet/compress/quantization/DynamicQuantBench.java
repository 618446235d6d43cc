package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.LSTM;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.RecurrentOptions;
import dev.torchlet.nn.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Latency of dynamic int8 against float32 on Linear/LSTM-heavy workloads (issue #12, item 5), median and minimum
 * ms per forward (the minimum is the better estimate on a machine shared with other jobs), for each thread count.
 * Not a test: run it with
 *
 * <pre>
 *   tools/bench/dynamic_quant_bench.sh [threads=1,2] [workload-name-filter]
 * </pre>
 *
 * (test-compile, then java with the modules' classes and {@code --add-modules jdk.incubator.vector}).
 * Workloads: LSTM(256, 512, 2 layers, batch_first) on 50 steps at batch 1 and 32; Linear(1024, 1024) at batch 1
 * and 64.
 */
public final class DynamicQuantBench {
    private DynamicQuantBench() {}

    private record Workload(String name, Supplier<Module> model, int[] input) {}

    public static void main(String[] args) {
        int[] threads = Arrays.stream((args.length > 0 ? args[0] : "1,2").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        String filter = args.length > 1 ? args[1] : "";
        RecurrentOptions lstm = RecurrentOptions.of(256, 512).withNumLayers(2).withBatchFirst(true);
        List<Workload> all = List.of(
                new Workload("lstm256x512x2_T50_b1", () -> new Sequential(new LSTM(lstm)), new int[] {1, 50, 256}),
                new Workload("lstm256x512x2_T50_b32", () -> new Sequential(new LSTM(lstm)), new int[] {32, 50, 256}),
                new Workload("linear1024_b1", () -> new Sequential(new Linear(1024, 1024)), new int[] {1, 1024}),
                new Workload("linear1024_b64", () -> new Sequential(new Linear(1024, 1024)), new int[] {64, 1024}));
        List<String> rows = new ArrayList<>();
        String head = "| %-24s | %7s | %18s | %18s | %17s |";
        rows.add(
                String.format(head, "workload", "threads", "float32 ms med/min", "int8 ms med/min", "speedup med/min"));
        for (Workload w : all) {
            if (!w.name().contains(filter)) {
                continue;
            }
            Torch.manualSeed(0);
            Module fp = w.model().get().eval();
            Module q = w.model().get().eval();
            q.loadStateDict(fp.stateDict());
            Quantization.quantizeDynamic(q);
            Tensor x = Torch.randn(w.input());
            for (int t : threads) {
                Torch.setNumThreads(t);
                double[] ms = medianMs(fp, q, x);
                String row = String.format(
                        "| %-24s | %7d | %8.3f / %7.3f | %8.3f / %7.3f | %6.2fx / %6.2fx |",
                        w.name(), t, ms[0], ms[2], ms[1], ms[3], ms[0] / ms[1], ms[2] / ms[3]);
                System.out.println(row);
                rows.add(row);
            }
        }
        System.out.println();
        rows.forEach(System.out::println);
    }

    /**
     * Median and minimum ms per forward of a and b ({medA, medB, minA, minB}), timed alternately (so load from other
     * processes hits both alike) after about 1 s of warm-up each; at least 5 runs each and about 4 s in all.
     */
    private static double[] medianMs(Module a, Module b, Tensor x) {
        try (var ng = Torch.noGrad()) {
            for (Module m : List.of(a, b)) {
                long warm = System.nanoTime();
                for (int n = 0; n < 3 || System.nanoTime() - warm < 1_000_000_000L; n++) {
                    m.call(x);
                }
            }
            List<Double> ta = new ArrayList<>();
            List<Double> tb = new ArrayList<>();
            long start = System.nanoTime();
            while (ta.size() < 5 || System.nanoTime() - start < 4_000_000_000L && ta.size() < 400) {
                ta.add(timeMs(a, x));
                tb.add(timeMs(b, x));
            }
            return new double[] {median(ta), median(tb), ta.get(0), tb.get(0)}; // sorted by median()
        }
    }

    private static double timeMs(Module m, Tensor x) {
        long t0 = System.nanoTime();
        m.call(x);
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(List<Double> v) {
        v.sort(null);
        return v.get(v.size() / 2);
    }
}
