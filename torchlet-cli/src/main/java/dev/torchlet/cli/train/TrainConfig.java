package dev.torchlet.cli.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one training run, validated on construction so nonsense (batch size 0, negative
 * lr, unknown model) fails before any work starts.
 */
public record TrainConfig(
        String model,
        int epochs,
        int batchSize,
        String optimizer,
        double lr,
        String schedule,
        boolean augment,
        long seed,
        int threads,
        int workers,
        Path out,
        Path data,
        Path resume,
        int limit,
        int stopAfter) {
    public static final List<String> OPTIMIZERS = List.of("adam", "adamw", "sgd");
    public static final List<String> SCHEDULES = List.of("cosine", "step", "onecycle", "none");

    public TrainConfig {
        if (!TrainModels.NAMES.contains(model)) {
            throw new IllegalArgumentException(
                    "unknown model '" + model + "'; available: " + String.join(", ", TrainModels.NAMES));
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (!OPTIMIZERS.contains(optimizer)) {
            throw new IllegalArgumentException(
                    "unknown optimizer '" + optimizer + "'; available: " + String.join(", ", OPTIMIZERS));
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        }
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException(
                    "unknown schedule '" + schedule + "'; available: " + String.join(", ", SCHEDULES));
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (stopAfter < 0) {
            throw new IllegalArgumentException("--stop-after must be 0 (run all epochs) or more, got " + stopAfter);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("--limit must be 0 (all images) or more, got " + limit);
        }
        if (workers < 0) {
            throw new IllegalArgumentException("--workers must be 0 or more, got " + workers);
        }
    }

    /**
     * The settings a `torchlet train` checkpoint records, each defined once: its metadata key, its
     * command-line option (a resumed run adopts the recorded value unless the option is given) and
     * whether a resumed run must match it (same model, data order and schedule; the lr may differ).
     */
    public enum Setting {
        MODEL("model", "--model", true),
        EPOCHS("epochs", "--epochs", true),
        BATCH_SIZE("batch_size", "--batch-size", true),
        OPTIMIZER("optimizer", "--optimizer", true),
        LR("lr", "--lr", false),
        SCHEDULE("schedule", "--schedule", true),
        AUGMENT("augment", "--augment", true),
        SEED("seed", "--seed", true),
        LIMIT("limit", "--limit", true);

        private final String key;
        private final String option;
        private final boolean mustMatchOnResume;

        Setting(String key, String option, boolean mustMatchOnResume) {
            this.key = key;
            this.option = option;
            this.mustMatchOnResume = mustMatchOnResume;
        }

        public String key() {
            return key;
        }

        public String option() {
            return option;
        }

        public boolean mustMatchOnResume() {
            return mustMatchOnResume;
        }

        /** This setting of c as it is written to the metadata. */
        public String valueOf(TrainConfig c) {
            return switch (this) {
                case MODEL -> c.model();
                case EPOCHS -> Integer.toString(c.epochs());
                case BATCH_SIZE -> Integer.toString(c.batchSize());
                case OPTIMIZER -> c.optimizer();
                case LR -> Double.toString(c.lr());
                case SCHEDULE -> c.schedule();
                case AUGMENT -> Boolean.toString(c.augment());
                case SEED -> Long.toString(c.seed());
                case LIMIT -> Integer.toString(c.limit());
            };
        }
    }

    /** The recorded settings as checkpoint metadata, keyed as {@link Setting}, in its order. */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Setting s : Setting.values()) {
            m.put(s.key(), s.valueOf(this));
        }
        return m;
    }

    /** The last epoch this invocation runs: stopAfter when set (the schedule still spans all epochs). */
    public int lastEpoch() {
        return stopAfter > 0 ? Math.min(stopAfter, epochs) : epochs;
    }

    /** The default learning rate of an optimizer when --lr is not given. */
    public static double defaultLr(String optimizer) {
        return optimizer.equals("sgd") ? 0.05 : 1e-3;
    }

    public String describe() {
        return String.format(
                        java.util.Locale.ROOT,
                        "model %s, %d epochs, batch %d, %s lr %g (%s schedule)%s, seed %d, "
                                + "%d threads, %d loader workers",
                        model,
                        epochs,
                        batchSize,
                        optimizer,
                        lr,
                        schedule,
                        augment ? ", augmentation" : "",
                        seed,
                        threads,
                        workers)
                + (limit > 0 ? ", first " + limit + " training images only" : "");
    }
}
