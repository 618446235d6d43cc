package dev.torchlet.cli.train;

import java.util.List;

/** Counts of (true class, predicted class) and the summaries derived from them. */
public final class ConfusionMatrix {
    private final long[][] counts;
    private final List<String> classes;

    public ConfusionMatrix(List<String> classes) {
        this.classes = List.copyOf(classes);
        this.counts = new long[classes.size()][classes.size()];
    }

    public void add(long[] truth, long[] predicted) {
        for (int i = 0; i < truth.length; i++) {
            counts[(int) truth[i]][(int) predicted[i]]++;
        }
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }

    public double accuracy() {
        long correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        long n = total();
        return n == 0 ? 0 : correct / (double) n;
    }

    /** Recall of class c: correct predictions among samples whose true class is c. */
    public double classAccuracy(int c) {
        long row = 0;
        for (long v : counts[c]) {
            row += v;
        }
        return row == 0 ? 0 : counts[c][c] / (double) row;
    }

    /** Per-class accuracy lines and the matrix (rows: true class, columns: predicted), for the terminal. */
    public String render() {
        StringBuilder sb = new StringBuilder("per-class accuracy:\n");
        int width = classes.stream().mapToInt(String::length).max().orElse(5);
        for (int c = 0; c < classes.size(); c++) {
            sb.append(String.format("  %-" + width + "s  %6.2f%%%n", classes.get(c), 100 * classAccuracy(c)));
        }
        sb.append("confusion matrix (rows: true class, columns: predicted class):\n");
        sb.append(" ".repeat(6));
        for (int c = 0; c < classes.size(); c++) {
            sb.append(String.format("%6d", c));
        }
        sb.append('\n');
        for (int r = 0; r < classes.size(); r++) {
            sb.append(String.format("  %2d  ", r));
            for (int c = 0; c < classes.size(); c++) {
                sb.append(String.format("%6d", counts[r][c]));
            }
            sb.append("   ").append(classes.get(r)).append('\n');
        }
        return sb.toString();
    }
}
