package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.nn.CrossEntropyLoss;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.optim.Adam;
import org.junit.jupiter.api.Test;

/** The README's training example, verbatim between the markers, must run and learn. */
class ReadmeExampleTest {
    @Test
    void trainingExampleLearnsXor() {
        // README-BEGIN
        Torch.manualSeed(0);
        Tensor x = Torch.randn(512, 2);                                        // (N, 2) points
        Tensor y = x.select(1, 0).mul(x.select(1, 1)).gt(0f).to(DType.INT64); // label: same sign (XOR)

        var model = new Sequential(new Linear(2, 32), new ReLU(), new Linear(32, 2));
        var lossFn = new CrossEntropyLoss();
        var optimizer = new Adam(model.parameters(), 0.01);

        for (int step = 0; step < 300; step++) {
            optimizer.zeroGrad();
            Tensor loss = lossFn.call(model.call(x), y);         // logits (N, 2) vs labels (N)
            loss.backward();
            optimizer.step();
        }
        float accuracy;
        try (var g = Torch.noGrad()) {
            accuracy = model.call(x).argmax(1).eq(y).to(DType.FLOAT32).mean().item();
        }
        System.out.printf("train accuracy: %.1f%%%n", 100 * accuracy);
        // README-END
        assertTrue(accuracy > 0.95f, "accuracy " + accuracy);
    }
}
