package dev.torchlet.cli.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session the CLI's spark commands run in: no web UI, warnings only (log4j2.properties), and Spark's
 * console progress bar where the command has no progress bar of its own.
 */
final class SparkSessions {
    private SparkSessions() {}

    static SparkSession start(String master, String app, boolean consoleProgress) {
        SparkSession spark = SparkSession.builder()
                .master(master)
                .appName(app)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", Boolean.toString(consoleProgress))
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        return spark;
    }
}
