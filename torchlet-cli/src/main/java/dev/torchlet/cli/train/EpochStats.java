package dev.torchlet.cli.train;

/** One epoch's numbers, as recorded in the history, the checkpoint and the plot. */
public record EpochStats(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double testLoss,
        double testAccuracy,
        double seconds,
        double imagesPerSecond,
        double lr) {

    /** Compact one-line JSON. */
    public String toJson() {
        return String.format(
                java.util.Locale.ROOT,
                "{\"epoch\":%d,\"train_loss\":%.6f,\"train_accuracy\":%.6f,\"test_loss\":%.6f,"
                        + "\"test_accuracy\":%.6f,\"seconds\":%.3f,\"images_per_second\":%.1f,\"lr\":%.8g}",
                epoch,
                trainLoss,
                trainAccuracy,
                testLoss,
                testAccuracy,
                seconds,
                imagesPerSecond,
                lr);
    }

    /** Parses {@link #toJson()} output (used to restore the history from a checkpoint). */
    public static EpochStats fromJson(String json) {
        var m = new java.util.HashMap<String, String>();
        for (String part : json.replaceAll("[{}\"]", "").split(",")) {
            String[] kv = part.split(":", 2);
            m.put(kv[0], kv[1]);
        }
        return new EpochStats(
                Integer.parseInt(m.get("epoch")),
                Double.parseDouble(m.get("train_loss")),
                Double.parseDouble(m.get("train_accuracy")),
                Double.parseDouble(m.get("test_loss")),
                Double.parseDouble(m.get("test_accuracy")),
                Double.parseDouble(m.get("seconds")),
                Double.parseDouble(m.get("images_per_second")),
                Double.parseDouble(m.get("lr")));
    }
}
