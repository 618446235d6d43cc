package dev.torchlet.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The real Spark the tests run on: one local-mode session with two executor threads ({@code local[2]}),
 * shared by all test classes of the JVM (starting Spark costs seconds) and stopped at exit.
 */
public final class SparkTests {
    private static SparkSession session;

    private SparkTests() {}

    public static synchronized SparkSession spark() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("torchlet-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
        }
        return session;
    }

    /** Stops the shared session (a test that needs another master); the next {@link #spark()} starts a new one. */
    public static synchronized void stop() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }
}
