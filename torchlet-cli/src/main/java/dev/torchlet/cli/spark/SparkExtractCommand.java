package dev.torchlet.cli.spark;

import dev.torchlet.spark.ml.TorchletModel;
import dev.torchlet.vision.models.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet spark extract}: features of an image folder, computed by Spark, written as Parquet. */
@Command(
        name = "extract",
        mixinStandardHelpOptions = true,
        description = {
            "Reads every image under IMAGES with Spark's binaryFile source, runs a model (or one layer of it) with",
            "the TorchletModel stage and writes path, label (the image's folder name) and features to a Parquet",
            "folder. The same job runs on a cluster with spark-submit (see the README)."
        })
public final class SparkExtractCommand implements Callable<Integer> {
    @Option(
            names = "--model",
            required = true,
            description = "A zoo name (resnet18: the registry's pretrained weights), a zoo:... spec or a `torchlet"
                    + " train` checkpoint.")
    String model;

    @Option(names = "--weights", description = "A .pth or .safetensors state dict for a zoo model.")
    Path weights;

    @Option(names = "--images", required = true, description = "Folder of images (sub-folders are labels).")
    Path images;

    @Option(names = "--layer", defaultValue = "avgpool", description = "Module path (default: ${DEFAULT-VALUE}).")
    String layer;

    @Option(names = "--out", required = true, description = "Output Parquet folder, e.g. features.parquet.")
    Path out;

    @Option(names = "--batch-size", defaultValue = "32", description = "Rows per forward (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(
            names = "--partitions",
            description = "Repartition the images to this many tasks (default: Spark's split of the folder).")
    Integer partitions;

    @Option(
            names = "--weights-transport",
            defaultValue = "auto",
            description = "auto, file or broadcast: how executors get the weights (default: ${DEFAULT-VALUE}: file"
                    + " when there is one).")
    String transport;

    @Option(
            names = "--on-invalid",
            defaultValue = "error",
            description = "error, skip or keep: what an undecodable image does (default: ${DEFAULT-VALUE}).")
    String onInvalid;

    @Option(
            names = "--threads",
            description = "Torchlet compute threads per Spark task (default: spark.task.cpus, i.e. 1).")
    Integer threads;

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    @Override
    public Integer call() {
        if (!Files.isDirectory(images)) {
            throw new IllegalArgumentException("--images " + images + " is not a folder");
        }
        if (Files.exists(out) && !overwrite) {
            throw new IllegalArgumentException("--out " + out + " exists; pass --overwrite to replace it");
        }
        String spec = spec();
        int threadsBefore = dev.torchlet.Torch.getNumThreads();
        SparkSession spark = SparkSessions.start(master, "torchlet spark extract", true);
        try {
            long t0 = System.nanoTime();
            Dataset<Row> files = spark.read()
                    .format("binaryFile")
                    .option("recursiveFileLookup", "true")
                    .option("pathGlobFilter", "*.{jpg,jpeg,png,bmp,gif,webp,JPG,JPEG,PNG}")
                    .load(images.toAbsolutePath().toString())
                    .select("path", "content");
            if (partitions != null) {
                files = files.repartition(partitions);
            }
            TorchletModel stage = new TorchletModel()
                    .setModelProvider(CliSparkModels.class)
                    .setModel(spec)
                    .setLayer(layer)
                    .setInputCol("content")
                    .setOutputCol("features")
                    .setBatchSize(batchSize)
                    .setWeightsTransport(transport)
                    .setHandleInvalid(onInvalid)
                    .setNumThreads(threads == null ? 0 : threads);
            Dataset<Row> features = stage.transform(files)
                    .drop("content")
                    .withColumn("label", functions.element_at(functions.split(functions.col("path"), "/"), -2));
            features.write().mode(overwrite ? "overwrite" : "errorifexists").parquet(out.toString());
            double seconds = (System.nanoTime() - t0) * 1e-9;
            Dataset<Row> written = spark.read().parquet(out.toString());
            long n = written.count();
            int dims = n == 0
                    ? 0
                    : ((org.apache.spark.ml.linalg.Vector) written.first().getAs("features")).size();
            System.out.printf(
                    "wrote %d x %d features of %s (layer %s) to %s in %.1f s: %.1f img/s on %s%n",
                    n, dims, spec, layer.isEmpty() ? "output" : layer, out, seconds, n / seconds, master);
            return 0;
        } finally {
            spark.stop();
            dev.torchlet.Torch.setNumThreads(threadsBefore); // local tasks ran in this JVM with their own count
        }
    }

    private String spec() {
        if (model.startsWith("zoo:")) {
            return model;
        }
        if (Models.names().contains(model)) {
            return "zoo:" + model + ":"
                    + (weights != null ? weights.toAbsolutePath().toString() : "pretrained");
        }
        if (weights != null) {
            throw new IllegalArgumentException("--weights is for zoo models; '" + model + "' is not one");
        }
        return Path.of(model).toAbsolutePath().toString();
    }
}
