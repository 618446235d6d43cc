package dev.torchlet.cli.spark;

import dev.torchlet.Torch;
import dev.torchlet.cli.train.Evaluation;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.cli.train.Progress;
import dev.torchlet.cli.train.TrainModels;
import dev.torchlet.data.DataLoader;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.SGD;
import dev.torchlet.spark.train.DataParallelTrainer;
import dev.torchlet.spark.train.OptimizerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet spark train}: a Fashion-MNIST model trained data-parallel by Spark, then evaluated. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Trains a `torchlet train` model on Fashion-MNIST with Spark: the training set becomes a DataFrame split",
            "into --partitions shards; `sync` is synchronous data-parallel SGD (one Spark job per step, gradients",
            "summed with treeAggregate), `average` is parameter averaging every --average-every local steps.",
            "Prints the test accuracy and writes a checkpoint that `torchlet eval` reads."
        })
public final class SparkTrainCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "cnn", description = "mlp, cnn, ... (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--mode", defaultValue = "average", description = "sync or average (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--partitions", defaultValue = "2", description = "Data shards (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--average-every", defaultValue = "8", description = "Local steps per round (default: 8).")
    int averageEvery;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Global batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: 0.001 for adam, 0.05 for sgd).")
    Double lr;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", description = "Use only the first N training images.")
    Integer limit;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--data", description = "Fashion-MNIST folder (default: the shipped data/).")
    Path data;

    @Option(names = "--out", description = "Output folder (default: runs/spark-<model>).")
    Path out;

    @Option(
            names = "--resume",
            description = "Continue from the run state in --out after a failed job (state.safetensors).")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        if (!List.of("sync", "average").contains(mode)) {
            throw new IllegalArgumentException("--mode must be sync or average, got '" + mode + "'");
        }
        TrainModels.create(model, 10); // unknown names fail here, listing the known ones
        FashionMnist fashion = FashionMnist.load(data);
        Path dir = out != null ? out : Path.of("runs", "spark-" + model);
        Files.createDirectories(dir);
        Path state = dir.resolve("state.safetensors");
        if (Files.exists(state) && !resume) {
            Files.delete(state); // a fresh run
        }
        Torch.manualSeed(seed);
        String name = model;
        Module net = TrainModels.create(name, 10);
        double rate = lr != null ? lr : optimizer.equals("sgd") ? 0.05 : 0.001;
        OptimizerFactory optimizerFactory = switch (optimizer) {
            case "adam" -> m -> new Adam(m.parameters(), rate);
            case "sgd" -> m -> new SGD(m.parameters(), rate, 0.9);
            default -> throw new IllegalArgumentException("--optimizer must be adam or sgd, got " + optimizer);
        };
        int threadsBefore = Torch.getNumThreads();
        SparkSession spark = SparkSessions.start(master, "torchlet spark train", false);
        try {
            int n = fashion.trainSet(false).size();
            var frame = trainingFrame(spark, data, limit == null ? n : Math.min(limit, n));
            var progress = new Progress[1];
            DataParallelTrainer trainer = DataParallelTrainer.builder(() -> TrainModels.create(name, 10))
                    .optimizer(optimizerFactory)
                    .loss(F::crossEntropy)
                    .mode(
                            mode.equals("sync")
                                    ? DataParallelTrainer.Mode.SYNCHRONOUS
                                    : DataParallelTrainer.Mode.PARAMETER_AVERAGING)
                    .partitions(partitions)
                    .globalBatchSize(batchSize)
                    .averagingFrequency(averageEvery)
                    .epochs(epochs)
                    .inputShape(1, 28, 28)
                    .seed(seed)
                    .checkpoint(state, mode.equals("sync") ? 50 : 1)
                    .listener((from, to, total, epoch, loss) -> {
                        if (progress[0] == null) { // a resumed run starts the bar where its checkpoint stopped
                            progress[0] = new Progress("spark " + mode, total, System.out);
                            progress[0].step(from, "resumed");
                        }
                        progress[0].step(to - from, String.format("epoch %d loss %.4f", epoch + 1, loss));
                    })
                    .build();
            var summary = trainer.fit(net, frame);
            if (progress[0] != null) {
                progress[0].close();
            }
            var loader = new DataLoader<>(fashion.testSet(), new DataLoader.Options(1000).withWorkers(2));
            double accuracy = Evaluation.run(net, loader, fashion.classes()).accuracy();
            Path checkpoint = dir.resolve("checkpoint.safetensors");
            Checkpoint.save(
                    checkpoint,
                    net,
                    null,
                    Map.of("model", name, "dataset", "fashion-mnist", "trainer", "spark " + mode + " x" + partitions));
            long ran = summary.steps() - summary.resumedFromStep();
            System.out.printf(
                    "%s, %s over %d partitions (%s rows): %d steps of %d in %.1f s (%.1f ms per step; %d KB of weights"
                            + " per broadcast); loss per epoch %s%n",
                    name,
                    mode.equals("sync") ? "synchronous SGD" : "parameter averaging every " + averageEvery,
                    partitions,
                    java.util.Arrays.toString(summary.shardRows()),
                    summary.steps(),
                    batchSize,
                    summary.seconds(),
                    ran == 0 ? 0 : 1000 * summary.stepSeconds() / ran,
                    summary.weightBytes() / 1024,
                    summary.epochLosses());
            System.out.printf("test accuracy %.2f%%; checkpoint %s%n", 100 * accuracy, checkpoint);
            return 0;
        } finally {
            spark.stop();
            Torch.setNumThreads(threadsBefore); // local tasks ran in this JVM with one thread each
        }
    }

    /**
     * (features: array<float> of 784, normalized like `torchlet train`; label: int) for the first n training
     * images. Each of 8 partitions reads its range of the IDX files itself (executors share this file system in
     * local mode), so no image travels inside a task.
     */
    private static org.apache.spark.sql.Dataset<Row> trainingFrame(SparkSession spark, Path data, int n) {
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false))
                .add("label", DataTypes.IntegerType);
        String folder = data == null ? null : data.toAbsolutePath().toString();
        return spark.range(0, n, 1, 8)
                .mapPartitions(
                        (MapPartitionsFunction<Long, Row>) ids -> {
                            Dataset<Example> train = FashionMnist.load(folder == null ? null : Path.of(folder))
                                    .trainSet(false);
                            List<Row> rows = new ArrayList<>();
                            while (ids.hasNext()) {
                                Example e = train.get(Math.toIntExact(ids.next()));
                                rows.add(RowFactory.create(e.input().toFloatArray(), (int) e.label()));
                            }
                            return rows.iterator();
                        },
                        Encoders.row(schema));
    }
}
