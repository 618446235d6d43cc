package dev.torchlet.cli;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.cli.train.Progress;
import dev.torchlet.data.datasets.ImageFolder;
import dev.torchlet.io.AtomicFiles;
import dev.torchlet.io.Npy;
import dev.torchlet.io.SafeTensors;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.features.FeatureExtractor;
import dev.torchlet.vision.models.Models;
import dev.torchlet.vision.weights.PretrainedWeights;
import dev.torchlet.vision.weights.WeightRegistry;
import dev.torchlet.vision.weights.WeightSpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet extract}: features of a folder of images at one layer of a zoo model, to a file. */
@Command(
        name = "extract",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a zoo model over an image folder (IMAGES/<class>/<image>) and writes the output of one layer,",
            "flattened to (N, D), with a progress bar: .npy (numpy; labels in <name>_labels.npy), .csv (path,",
            "label, features) or .safetensors (features, labels). Preprocessing is the weights' own."
        })
public final class ExtractCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Zoo model, e.g. resnet18.")
    String model;

    @Option(names = "--weights", description = "A .pth or .safetensors state dict (default: the registry's file).")
    Path weights;

    @Option(names = "--tag", defaultValue = "DEFAULT", description = "Which published weights (default: DEFAULT).")
    String tag;

    @Option(names = "--download", description = "Download the weights if no local copy is found.")
    boolean download;

    @Option(names = "--images", required = true, description = "Image folder with one sub-folder per class.")
    Path images;

    @Option(names = "--layer", defaultValue = "avgpool", description = "Module path (default: avgpool).")
    String layer;

    @Option(names = "--out", required = true, description = "features.npy, features.csv or features.safetensors.")
    Path out;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images per forward (default: 32).")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        String format = out.getFileName().toString().replaceAll(".*\\.", "");
        if (!List.of("npy", "csv", "safetensors").contains(format)) {
            throw new IllegalArgumentException("--out must end in .npy, .csv or .safetensors, got " + out);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        WeightSpec spec = WeightRegistry.find(model, tag);
        Module net = Models.create(model, 1000);
        PretrainedWeights.resolveAndLoad(net, spec, weights, download);
        net.eval();
        FeatureExtractor extractor = FeatureExtractor.of(net, layer);
        ImageFolder folder = new ImageFolder(images, new ImageFolder.Options(ImageFolder.OnCorrupt.FAIL, 3));
        var transform = spec.preprocessing().transform();
        int n = folder.size();
        List<Tensor> parts = new ArrayList<>();
        long t0 = System.nanoTime();
        try (var progress = new Progress("extract", (n + batchSize - 1) / batchSize, System.out);
                var g = Torch.noGrad()) {
            for (int from = 0; from < n; from += batchSize) {
                List<Tensor> batch = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + batchSize); i++) {
                    batch.add(transform.apply(folder.get(i).image()));
                }
                Tensor f = extractor.extract(Torch.stack(batch, 0)).get(layer);
                parts.add(f.reshape(f.size(0), -1));
                double seconds = (System.nanoTime() - t0) * 1e-9;
                progress.step(1, String.format("%.1f img/s", (from + batch.size()) / seconds));
            }
        }
        Tensor features = Torch.cat(parts, 0); // (N, D)
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = folder.label(i);
        }
        Tensor labels = Torch.tensor(y, n);
        switch (format) {
            case "npy" -> {
                Npy.write(features, out);
                Npy.write(
                        labels,
                        out.resolveSibling(out.getFileName().toString().replaceAll("\\.npy$", "") + "_labels.npy"));
            }
            case "csv" -> writeCsv(folder, features, out);
            default -> {
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                tensors.put("features", features);
                tensors.put("labels", labels);
                SafeTensors.write(
                        tensors,
                        Map.of("model", model, "layer", layer, "classes", String.join(",", folder.classes())),
                        out);
            }
        }
        System.out.printf(
                "wrote %d x %d features of %s.%s (%d classes: %s) to %s%n",
                n, features.size(1), model, layer, folder.classes().size(), String.join(", ", folder.classes()), out);
        return 0;
    }

    private static void writeCsv(ImageFolder folder, Tensor features, Path out) throws IOException {
        float[] f = features.toFloatArray();
        int d = features.size(1);
        AtomicFiles.writeFile(out, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
                w.write("path,label");
                for (int j = 0; j < d; j++) {
                    w.write(",f" + j);
                }
                w.newLine();
                for (int i = 0; i < folder.size(); i++) {
                    w.write(csvField(folder.path(i).toString()) + ","
                            + folder.classes().get(folder.label(i)));
                    for (int j = 0; j < d; j++) {
                        w.write("," + f[i * d + j]);
                    }
                    w.newLine();
                }
            }
        });
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
