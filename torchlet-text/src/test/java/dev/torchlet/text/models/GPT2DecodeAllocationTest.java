package dev.torchlet.text.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.text.generation.PastKeyValues;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 8: decoding one token with a preallocated KV cache allocates no garbage proportional to the
 * context length. Bytes allocated by the decoding thread (one intra-op thread, so all the work is on it) for one
 * decode step, median of 15 steps, after a context of 16 and after one of 900 tokens: the difference must stay
 * under 8 KiB, where (B, heads, 1, T) attention probabilities per layer would be 4 heads x 884 keys x 4 bytes x 2
 * layers = 28 KiB more.
 *
 * <p>Measured in a fresh JVM ({@link Probe}): until C2 has compiled the decode path the Vector API boxes every
 * vector, garbage proportional to the context as well, and code compiled after other tests' training runs (other
 * type profiles) can keep some of that boxing.
 */
class GPT2DecodeAllocationTest {
    /**
     * Prints "bytesPerTokenAt16 bytesPerTokenAt900" once the JIT has settled: at least 20 rounds, then until both
     * figures move by less than 1 KiB from one round to the next (at most 80 rounds). Stopping as soon as the two
     * were close let a round measured before C2 had compiled the decode path pass (both figures ~0.5-1 MB).
     */
    public static final class Probe {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        public static void main(String[] args) {
            Torch.setNumThreads(1);
            Torch.manualSeed(0);
            GPT2 model = new GPT2(GPT2Config.of(50, 1024, 32, 2, 4));
            model.eval();
            long shortContext = -1;
            long longContext = -1;
            for (int round = 0; round < 80; round++) {
                long s = bytesPerToken(model, 16);
                long l = bytesPerToken(model, 900);
                boolean settled = Math.abs(s - shortContext) < 1024 && Math.abs(l - longContext) < 1024;
                shortContext = s;
                longContext = l;
                if (round >= 20 && settled) {
                    break;
                }
            }
            System.out.println(shortContext + " " + longContext);
        }

        /** Median bytes allocated by one decode step after {@code context} tokens. */
        static long bytesPerToken(GPT2 model, int context) {
            PastKeyValues past = model.newCache(context + 16);
            long[] steps = new long[15];
            try (var g = Torch.noGrad()) {
                model.call(Torch.zeros(DType.INT64, 1, context), null, past);
                Tensor next = Torch.tensor(new long[] {7}, 1, 1);
                for (int i = 0; i < steps.length; i++) {
                    long before = THREADS.getCurrentThreadAllocatedBytes();
                    model.call(next, null, past);
                    steps[i] = THREADS.getCurrentThreadAllocatedBytes() - before;
                }
            }
            Arrays.sort(steps);
            return steps[steps.length / 2];
        }
    }

    @Test
    void oneDecodeStepAllocatesTheSameAtAnyContextLength() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(
                        java.toString(),
                        "-Xbatch", // compile in the foreground: a busy machine does not leave the probe interpreted
                        "--add-modules",
                        "jdk.incubator.vector",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Probe.class.getName()))
                .redirectErrorStream(false)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "probe JVM failed: " + err);
        String[] bytes = out.lines().reduce((a, b) -> b).orElse("").split(" ");
        long shortContext = Long.parseLong(bytes[0]);
        long longContext = Long.parseLong(bytes[1]);
        assertTrue(
                longContext - shortContext < 8 * 1024,
                "decode step allocates " + shortContext + " B after 16 tokens but " + longContext + " B after 900");
    }
}
