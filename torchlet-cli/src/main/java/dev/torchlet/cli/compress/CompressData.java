package dev.torchlet.cli.compress;

import dev.torchlet.Tensor;
import dev.torchlet.cli.train.Evaluation;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.cli.train.Progress;
import dev.torchlet.data.Batch;
import dev.torchlet.data.DataLoader;
import dev.torchlet.data.Dataset;
import dev.torchlet.data.Example;
import dev.torchlet.data.Subset;
import dev.torchlet.nn.Module;
import dev.torchlet.optim.Adam;
import dev.torchlet.optim.AdamOptions;
import dev.torchlet.optim.Optimizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

/** Fashion-MNIST loaders for fine-tuning and distillation, and the small training loop they share. */
final class CompressData implements AutoCloseable {
    /** The training loss of a batch: from the model's logits, the inputs and the labels. */
    @FunctionalInterface
    interface BatchLoss {
        Tensor apply(Tensor logits, Tensor inputs, Tensor labels);
    }

    private final List<String> classes;
    private final DataLoader<Example> train;
    private final DataLoader<Example> test;

    CompressData(Path dir, int limit, int testLimit, int batchSize, long seed) throws IOException {
        FashionMnist data = FashionMnist.load(dir);
        classes = data.classes();
        Dataset<Example> trainSet = limited(data.trainSet(false), limit);
        Dataset<Example> testSet = limited(data.testSet(), testLimit);
        train = new DataLoader<>(trainSet, new DataLoader.Options(batchSize, true, seed).withWorkers(2));
        test = new DataLoader<>(testSet, new DataLoader.Options(1000).withWorkers(2));
    }

    private static Dataset<Example> limited(Dataset<Example> set, int limit) {
        return limit > 0 && limit < set.size()
                ? new Subset<>(set, IntStream.range(0, limit).toArray())
                : set;
    }

    List<String> classes() {
        return classes;
    }

    DataLoader<Example> trainLoader() {
        return train;
    }

    DataLoader<Example> testLoader() {
        return test;
    }

    /** Trains the model's trainable parameters for some epochs with Adam at a constant learning rate. */
    void train(Module model, int epochs, double lr, BatchLoss loss, String what, PrintStream out) {
        Optimizer opt = new Adam(
                model.parameters().stream().filter(Tensor::requiresGrad).toList(), AdamOptions.of(lr));
        for (int epoch = 1; epoch <= epochs; epoch++) {
            model.train();
            double sum = 0;
            long correct = 0;
            long seen = 0;
            try (Progress p = new Progress(String.format("%s %d/%d", what, epoch, epochs), train.size(), out)) {
                for (Batch b : train.epoch(epoch)) {
                    opt.zeroGrad();
                    Tensor logits = model.call(b.inputs());
                    Tensor l = loss.apply(logits, b.inputs(), b.labels());
                    l.backward();
                    opt.step();
                    int n = b.labels().numel();
                    sum += l.itemDouble() * n;
                    correct += Evaluation.countCorrect(logits, b.labels());
                    seen += n;
                    p.step(1, String.format("loss %.4f acc %.1f%%", sum / seen, 100.0 * correct / seen));
                }
            }
        }
        model.eval();
    }

    @Override
    public void close() {
        train.close();
        test.close();
    }
}
