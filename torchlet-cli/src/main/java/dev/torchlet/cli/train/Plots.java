package dev.torchlet.cli.train;

import dev.torchlet.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of the training curves (XChart, headless). */
public final class Plots {
    private Plots() {}

    /** Loss (train/test) and test accuracy per epoch, side by side in one PNG, written atomically. */
    public static void writeCurves(List<EpochStats> history, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double[] epochs = history.stream().mapToDouble(EpochStats::epoch).toArray();
        XYChart loss = new XYChartBuilder()
                .width(560)
                .height(400)
                .title("Loss")
                .xAxisTitle("epoch")
                .yAxisTitle("cross-entropy")
                .build();
        loss.addSeries(
                        "train",
                        epochs,
                        history.stream().mapToDouble(EpochStats::trainLoss).toArray())
                .setMarker(SeriesMarkers.CIRCLE);
        loss.addSeries(
                        "test",
                        epochs,
                        history.stream().mapToDouble(EpochStats::testLoss).toArray())
                .setMarker(SeriesMarkers.CIRCLE);
        XYChart acc = new XYChartBuilder()
                .width(560)
                .height(400)
                .title("Accuracy")
                .xAxisTitle("epoch")
                .yAxisTitle("accuracy (%)")
                .build();
        acc.addSeries(
                        "train",
                        epochs,
                        history.stream()
                                .mapToDouble(s -> 100 * s.trainAccuracy())
                                .toArray())
                .setMarker(SeriesMarkers.CIRCLE);
        acc.addSeries(
                        "test",
                        epochs,
                        history.stream()
                                .mapToDouble(s -> 100 * s.testAccuracy())
                                .toArray())
                .setMarker(SeriesMarkers.CIRCLE);
        for (XYChart c : new XYChart[] {loss, acc}) {
            c.getStyler()
                    .setYAxisDecimalPattern("0.###")
                    .setXAxisDecimalPattern("0")
                    .setChartBackgroundColor(java.awt.Color.WHITE);
        }
        // legends where the curves are not: loss falls (upper right is free), accuracy rises (lower right)
        loss.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        acc.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        var left = BitmapEncoder.getBufferedImage(loss);
        var right = BitmapEncoder.getBufferedImage(acc);
        var both = new java.awt.image.BufferedImage(
                left.getWidth() + right.getWidth(), left.getHeight(), java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = both.createGraphics();
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        writeAtomically(both, png);
    }

    /**
     * One chart of several curves over the epochs (e.g. the two players' losses of a GAN), written
     * atomically as a PNG.
     *
     * @param series curve name -> one value per epoch (same length as epochs)
     */
    public static void writeSeries(
            String title, String yTitle, double[] epochs, java.util.Map<String, double[]> series, Path png)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder()
                .width(640)
                .height(420)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle(yTitle)
                .build();
        series.forEach((name, values) -> chart.addSeries(name, epochs, values).setMarker(SeriesMarkers.CIRCLE));
        chart.getStyler()
                .setYAxisDecimalPattern("0.###")
                .setXAxisDecimalPattern("0")
                .setChartBackgroundColor(java.awt.Color.WHITE)
                .setLegendPosition(Styler.LegendPosition.InsideNE);
        writeAtomically(BitmapEncoder.getBufferedImage(chart), png);
    }

    private static void writeAtomically(java.awt.image.BufferedImage image, Path png) throws IOException {
        AtomicFiles.writeFile(png, tmp -> javax.imageio.ImageIO.write(image, "png", tmp.toFile()));
    }
    /**
     * A language model's loss curves: train loss (mean over each interval) and validation loss against
     * the optimizer step, one PNG, written atomically.
     */
    public static void writeLossCurves(double[] steps, double[] train, double[] validation, Path png)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart loss = new XYChartBuilder()
                .width(640)
                .height(420)
                .title("Language-model loss")
                .xAxisTitle("step")
                .yAxisTitle("cross-entropy (nats/token)")
                .build();
        loss.addSeries("train", steps, train).setMarker(SeriesMarkers.CIRCLE);
        loss.addSeries("validation", steps, validation).setMarker(SeriesMarkers.CIRCLE);
        loss.getStyler()
                .setYAxisDecimalPattern("0.###")
                .setXAxisDecimalPattern("0")
                .setChartBackgroundColor(java.awt.Color.WHITE)
                .setLegendPosition(Styler.LegendPosition.InsideNE);
        writeAtomically(BitmapEncoder.getBufferedImage(loss), png);
    }
}
