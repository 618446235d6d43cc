package dev.torchlet.cli;

import dev.torchlet.Torch;
import dev.torchlet.cli.train.Evaluation;
import dev.torchlet.cli.train.FashionMnist;
import dev.torchlet.cli.train.SavedModel;
import dev.torchlet.data.DataLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet eval}: test-set accuracy of a trained checkpoint. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluates a `torchlet train` checkpoint on the Fashion-MNIST test set.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "The checkpoint (.safetensors) to evaluate.")
    Path checkpoint;

    @Option(names = "--data", description = "Fashion-MNIST folder (default: the standard places).")
    Path data;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Torch.setNumThreads(threads);
        }
        SavedModel saved = SavedModel.load(checkpoint);
        FashionMnist fashion = FashionMnist.load(data);
        long t0 = System.nanoTime();
        Evaluation e;
        try (var loader = new DataLoader<>(fashion.testSet(), new DataLoader.Options(1000))) {
            e = Evaluation.run(saved.model(), loader, fashion.classes());
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        System.out.println("model " + saved.metadata().get("model") + " after epoch "
                + saved.metadata().get("epoch") + " (" + checkpoint + ")");
        System.out.print(e.confusion().render());
        System.out.printf(
                "evaluated %d images in %.1f s (%.0f img/s)%n",
                e.confusion().total(), seconds, e.confusion().total() / seconds);
        System.out.printf("test loss: %.4f%n", e.loss());
        System.out.printf("test accuracy: %.2f%%%n", 100 * e.accuracy());
        return 0;
    }
}
