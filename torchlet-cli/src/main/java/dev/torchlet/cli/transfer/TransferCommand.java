package dev.torchlet.cli.transfer;

import dev.torchlet.Torch;
import dev.torchlet.cli.train.FashionMnist;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code torchlet transfer}: the transfer-learning demonstration on the shipped Fashion-MNIST. */
@Command(
        name = "transfer",
        mixinStandardHelpOptions = true,
        description = {
            "Transfer learning on the shipped data: pretrain a CNN on Fashion-MNIST classes 0-4, then learn",
            "classes 5-9 from 100 labelled images per class from scratch, with frozen features and a linear",
            "head, and by fine-tuning with a smaller backbone learning rate; prints the comparison."
        })
public final class TransferCommand implements Callable<Integer> {
    @Option(names = "--pretrain-epochs", defaultValue = "2", description = "Epochs on classes 0-4 (default 2).")
    int pretrainEpochs;

    @Option(
            names = "--source-per-class",
            defaultValue = "0",
            description = "Training images per source class (default 0: all 6000).")
    int sourcePerClass;

    @Option(names = "--per-class", defaultValue = "100", description = "Labelled images per new class (default 100).")
    int perClass;

    @Option(names = "--epochs", defaultValue = "30", description = "Epochs on the few labelled images (default 30).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default 32).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default 0).")
    long seed;

    @Option(names = "--data", description = "Fashion-MNIST folder (default: the standard places).")
    Path data;

    @Option(names = "--threads", description = "Compute threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        if (threads != null) {
            Torch.setNumThreads(threads);
        }
        var settings = new TransferDemo.Settings(pretrainEpochs, sourcePerClass, perClass, epochs, batchSize, seed);
        TransferDemo.Result r = new TransferDemo(settings, System.out).run(FashionMnist.load(data));
        System.out.println();
        System.out.printf(
                "%-44s %9s %11s%n", "classes 5-9 from " + perClass + " images per class", "test acc", "train time");
        System.out.printf("%-44s %8.2f%% %9.1f s%n", "from scratch", 100 * r.scratchAccuracy(), r.scratchSeconds());
        System.out.printf(
                "%-44s %8.2f%% %9.1f s  (+%.1f s caching; %.1f s without the cache)%n",
                "frozen pretrained features + linear head",
                100 * r.probeAccuracy(),
                r.probeSeconds(),
                r.probeCacheSeconds(),
                r.probeUncachedSeconds());
        System.out.printf(
                "%-44s %8.2f%% %9.1f s%n",
                "fine-tuning (pretrained layers at lr/10)", 100 * r.finetuneAccuracy(), r.finetuneSeconds());
        System.out.printf("transfer beats training from scratch by %.2f points%n", r.gainPoints());
        return 0;
    }
}
