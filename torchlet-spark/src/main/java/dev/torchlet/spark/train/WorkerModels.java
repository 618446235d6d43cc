package dev.torchlet.spark.train;

import dev.torchlet.nn.Module;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Network instances an executor JVM keeps between the steps of a training run (building one per step would
 * cost more than some steps). Keyed by run id; concurrent tasks borrow separate instances. Only the most recent
 * runs are kept.
 */
final class WorkerModels {
    private static final int MAX_RUNS = 2;
    private static final Map<String, Deque<Module>> IDLE = new LinkedHashMap<>(4, 0.75f, true);

    private WorkerModels() {}

    static Module borrow(String runId, ModuleFactory factory) {
        synchronized (IDLE) {
            Deque<Module> idle = IDLE.computeIfAbsent(runId, k -> new ArrayDeque<>());
            while (IDLE.size() > MAX_RUNS) {
                IDLE.remove(IDLE.keySet().iterator().next());
            }
            if (!idle.isEmpty()) {
                return idle.pop();
            }
        }
        return factory.create();
    }

    static void giveBack(String runId, Module model) {
        synchronized (IDLE) {
            Deque<Module> idle = IDLE.get(runId);
            if (idle != null) {
                idle.push(model);
            }
        }
    }
}
