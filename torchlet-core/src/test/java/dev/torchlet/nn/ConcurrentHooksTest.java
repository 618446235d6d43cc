package dev.torchlet.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Hooks may come and go while other threads call the module (FeatureExtractor and Grad-CAM install theirs
 * for one call): the callers neither fail nor see a changed result from a hook that returns null.
 */
class ConcurrentHooksTest {
    @Test
    void registeringAndRemovingHooksWhileOtherThreadsCall() throws InterruptedException {
        Torch.manualSeed(1);
        Sequential model = new Sequential(new Linear(8, 8), new ReLU(), new Linear(8, 4));
        model.eval();
        Module first = model.getSubmodule("0");
        Tensor x = Torch.randn(2, 8);
        float[] expected;
        try (var g = Torch.noGrad()) {
            expected = model.call(x).toFloatArray();
        }
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] callers = new Thread[3];
        for (int t = 0; t < callers.length; t++) {
            callers[t] = new Thread(() -> {
                try (var g = Torch.noGrad()) {
                    start.await();
                    while (!done.get()) {
                        assertArrayEquals(expected, model.call(x).toFloatArray(), 0f);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            callers[t].start();
        }
        start.countDown();
        for (int i = 0; i < 100_000 && errors.isEmpty(); i++) {
            Module.HookHandle[] handles = new Module.HookHandle[4];
            for (int k = 0; k < handles.length; k += 2) {
                handles[k] = first.registerForwardPreHook((m, in) -> null);
                handles[k + 1] = first.registerForwardHook((m, in, out) -> null);
            }
            for (int k = handles.length - 1; k >= 0; k--) {
                handles[(k + i) % handles.length].remove();
            }
        }
        done.set(true);
        for (Thread t : callers) {
            t.join(30_000);
        }
        assertTrue(errors.isEmpty(), () -> "a caller failed: " + errors.peek());
    }
}
