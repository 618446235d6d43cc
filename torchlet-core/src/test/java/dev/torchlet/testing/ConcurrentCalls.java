package dev.torchlet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.torchlet.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * A contention check for concurrent inference: one model instance called from many threads at once must
 * give, for every input, exactly (bit for bit) what a sequential call gave. Torchlet's kernels are
 * deterministic, so any difference is a data race (a shared scratch buffer, an unsynchronized cache, a
 * state write during forward).
 *
 * <p>The reference outputs are computed first, on the calling thread, one input after the other. Then
 * {@code threads} threads wait at a barrier and each makes {@code rounds} passes over all inputs, thread t
 * starting at input t so that neighbours run different inputs (different batch sizes, if the inputs have
 * them) at the same moment. Every output is compared with its reference; all mismatches and exceptions are
 * collected and reported together.
 */
public final class ConcurrentCalls {
    /** A generous bound: a deadlock fails the test instead of hanging the build. */
    private static final long TIMEOUT_SECONDS = 120;

    private ConcurrentCalls() {}

    /** One output of a call, flattened: shape and values (compared by their bits). */
    public record Output(int[] shape, float[] values) {
        public static Output of(Tensor t) {
            return new Output(t.shape(), t.toFloatArray());
        }

        /** Null if equal bit for bit, else a description of the first difference. */
        String differenceFrom(Output expected) {
            if (!Arrays.equals(shape, expected.shape)) {
                return "shape " + Arrays.toString(shape) + ", expected " + Arrays.toString(expected.shape);
            }
            for (int i = 0; i < values.length; i++) {
                if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(expected.values[i])) {
                    return "element " + i + " is " + values[i] + ", expected " + expected.values[i];
                }
            }
            return null;
        }
    }

    /**
     * Checks that {@code call} (input index -> outputs) is thread-safe: see the class comment.
     *
     * @param what    names the model in failure messages
     * @param inputs  how many inputs {@code call} accepts (indices 0 .. inputs-1)
     * @param call    runs the shared model on input i; must not mutate the inputs
     * @param threads concurrent callers
     * @param rounds  passes over all inputs per thread
     */
    public static void assertSameAsSequential(
            String what, int inputs, IntFunction<List<Output>> call, int threads, int rounds) {
        assertSameAsSequential(what, inputs, call, threads, rounds, Executors.defaultThreadFactory());
    }

    /** The same, the callers made by {@code factory} (e.g. {@code Thread.ofVirtual().factory()}). */
    public static void assertSameAsSequential(
            String what, int inputs, IntFunction<List<Output>> call, int threads, int rounds, ThreadFactory factory) {
        List<List<Output>> expected = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            expected.add(call.apply(i));
        }
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads, factory);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        for (int j = 0; j < inputs; j++) {
                            int i = (thread + j) % inputs;
                            compare(what, thread, r, i, call.apply(i), expected.get(i), problems);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    fail(what + ": concurrent calls did not finish within " + TIMEOUT_SECONDS + " s (deadlock?)");
                } catch (Exception e) {
                    problems.add(what + ": a thread failed: " + stackTrace(e.getCause() != null ? e.getCause() : e));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s) under " + threads + " concurrent callers, first: " + problems.peek());
        }
    }

    /** The same, for a single-output call. */
    public static void assertSameAsSequentialTensors(
            String what, int inputs, IntFunction<Tensor> call, int threads, int rounds) {
        assertSameAsSequential(what, inputs, i -> List.of(Output.of(call.apply(i))), threads, rounds);
    }

    private static void compare(
            String what, int thread, int round, int input, List<Output> got, List<Output> expected, Queue<String> out) {
        if (got.size() != expected.size()) {
            out.add(what + ": thread " + thread + ", round " + round + ", input " + input + ": " + got.size()
                    + " outputs, expected " + expected.size());
            return;
        }
        for (int k = 0; k < got.size(); k++) {
            String diff = got.get(k).differenceFrom(expected.get(k));
            if (diff != null) {
                out.add(what + ": thread " + thread + ", round " + round + ", input " + input + ", output " + k + ": "
                        + diff);
            }
        }
    }

    private static String stackTrace(Throwable t) {
        var w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
