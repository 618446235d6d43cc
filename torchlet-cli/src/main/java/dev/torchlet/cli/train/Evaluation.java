package dev.torchlet.cli.train;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.Batch;
import dev.torchlet.data.DataLoader;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import java.util.List;

/** Test-set evaluation: mean cross-entropy, accuracy and the confusion matrix. */
public record Evaluation(double loss, ConfusionMatrix confusion) {
    public double accuracy() {
        return confusion.accuracy();
    }

    /** How many rows of logits (B, classes) have their largest value at the label's class. */
    public static long countCorrect(Tensor logits, Tensor labels) {
        long[] predicted = logits.detach().argmax(1).toLongArray();
        long[] truth = labels.toLongArray();
        long c = 0;
        for (int i = 0; i < truth.length; i++) {
            c += predicted[i] == truth[i] ? 1 : 0;
        }
        return c;
    }

    public static Evaluation run(Module model, DataLoader<?> loader, List<String> classes) {
        model.eval();
        ConfusionMatrix cm = new ConfusionMatrix(classes);
        double lossSum = 0;
        long n = 0;
        try (var g = Torch.noGrad()) {
            for (Batch b : loader) {
                Tensor logits = model.call(b.inputs());
                int size = b.labels().numel();
                lossSum += F.crossEntropy(logits, b.labels()).itemDouble() * size;
                cm.add(b.labels().toLongArray(), logits.argmax(1).toLongArray());
                n += size;
            }
        }
        return new Evaluation(n == 0 ? 0 : lossSum / n, cm);
    }
}
