package dev.torchlet.cli.train;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A per-epoch progress display with loss, accuracy, images/s and ETA. On a terminal it is a live
 * progress bar redrawn in place; otherwise (logs, CI) it prints one line per 10% of the epoch.
 */
public final class Progress implements AutoCloseable {
    private final String task;
    private final long total;
    private final PrintStream out;
    private final ProgressBar bar; // null when not on a terminal
    private final long start = System.nanoTime();
    private long current;
    private long lastDecile;

    public Progress(String task, long total, PrintStream out) {
        this.task = task;
        this.total = total;
        this.out = out;
        this.bar = System.console() == null
                ? null
                : new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(total)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                        .setUpdateIntervalMillis(200)
                        .setConsumer(new ConsoleProgressBarConsumer(out))
                        .setUnit(" batches", 1)
                        .build();
    }

    /** Advances by n batches; extra is e.g. "loss 0.4123 acc 85.2% 2310 img/s". */
    public void step(long n, String extra) {
        current += n;
        if (bar != null) {
            bar.stepBy(n);
            bar.setExtraMessage(extra);
            return;
        }
        long decile = current * 10 / Math.max(total, 1);
        if (decile > lastDecile || current == total) {
            lastDecile = decile;
            double elapsed = (System.nanoTime() - start) * 1e-9;
            double eta = current == 0 ? 0 : elapsed * (total - current) / current;
            out.printf(
                    "%s %3d%% %d/%d batches  %s  elapsed %.0fs  ETA %.0fs%n",
                    task, 100 * current / total, current, total, extra, elapsed, eta);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
