package dev.torchlet.compress.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.BatchNorm1d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Flatten;
import dev.torchlet.nn.GELU;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Post-training static quantization and QAT end to end on a small conv-bn-relu network. */
class StaticQuantizationTest {
    static Module smallCnn() {
        Torch.manualSeed(3);
        Module m = new Sequential(
                new Conv2d(Conv2dOptions.of(1, 8, 3).withPadding(1).withBias(false)),
                new BatchNorm2d(8),
                new ReLU(),
                new MaxPool2d(2),
                new Sequential(new Conv2d(8, 16, 3, 1, 1), new ReLU()),
                new MaxPool2d(2),
                new Flatten(),
                new Linear(16 * 3 * 3, 32, false),
                new BatchNorm1d(32),
                new ReLU(),
                new Dropout(0.2),
                new Linear(32, 5));
        // non-trivial running statistics for the folds
        m.train();
        try (var g = Torch.noGrad()) {
            for (int i = 0; i < 5; i++) {
                m.call(Torch.randn(16, 1, 12, 12));
            }
        }
        return m.eval();
    }

    static List<Tensor> batches(int n, int size) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Torch.randn(size, 1, 12, 12));
        }
        return out;
    }

    /** max |a - b| / max |b|. */
    static double relativeError(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double err = 0;
        double mag = 0;
        for (int i = 0; i < x.length; i++) {
            err = Math.max(err, Math.abs(x[i] - y[i]));
            mag = Math.max(mag, Math.abs(y[i]));
        }
        return err / mag;
    }

    @Test
    void postTrainingQuantizationTracksTheFloatModel() {
        Module model = smallCnn();
        for (QConfig qconfig : List.of(QConfig.histogram(), QConfig.minMax(), QConfig.movingAverage())) {
            ObservedModel prepared = StaticQuantizer.prepare(model, qconfig);
            StaticQuantizer.calibrate(prepared, batches(4, 32));
            QuantizedModel q = StaticQuantizer.convert(prepared);
            Tensor x = Torch.randn(8, 1, 12, 12);
            Tensor want;
            try (var g = Torch.noGrad()) {
                want = model.call(x);
            }
            Tensor got = q.call(x);
            assertEquals(List.of(8, 5), List.of(got.shape()[0], got.shape()[1]));
            double err = relativeError(got, want);
            // the moving average (constant 0.01) barely leaves the first batch's range in 4 batches: more clipping
            double tolerance = qconfig.name().equals("moving-average") ? 0.2 : 0.1;
            assertTrue(
                    err < tolerance, qconfig.name() + ": int8 output differs from float by " + err + " of its range");
            // conv+bn+relu, pool, conv+relu, pool, flatten, linear+bn+relu, dropout, linear
            assertEquals(8, q.child("body").children().size(), "fused");
        }
    }

    @Test
    void quantizationAwareTrainingLearnsAndConverts() {
        Module model = smallCnn();
        ObservedModel qat = StaticQuantizer.prepareQat(model);
        var opt = new SGD(qat.parameters(), 0.05, 0.9);
        Tensor x = Torch.randn(32, 1, 12, 12);
        Tensor y = x.flatten(1).matmul(Torch.randn(144, 5)).argmax(1); // a learnable teacher: a random projection
        float first = 0;
        float last = 0;
        for (int step = 0; step < 60; step++) {
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(qat.call(x), y);
            loss.backward();
            opt.step();
            if (step == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertTrue(last < first * 0.8, "QAT loss " + first + " -> " + last);
        qat.eval();
        QuantizedModel q = StaticQuantizer.convert(qat);
        Tensor fake;
        try (var g = Torch.noGrad()) {
            fake = qat.call(x);
        }
        double err = relativeError(q.call(x), fake);
        // the same integers, up to float rounding at a few rounding boundaries
        assertTrue(err < 0.02, "converted model vs fake-quantized model: " + err);
    }

    @Test
    void badInputIsNamedAndLeavesTheModelAlone() {
        Module model = smallCnn();
        var before = model.stateDict().get("0.weight").toFloatArray();
        ObservedModel prepared = StaticQuantizer.prepare(model, QConfig.histogram());
        var e = assertThrows(IllegalStateException.class, () -> StaticQuantizer.convert(prepared));
        assertTrue(e.getMessage().contains("not calibrated"), e.getMessage());
        var u = assertThrows(
                IllegalArgumentException.class,
                () -> StaticQuantizer.prepare(
                        new Sequential(new Conv2d(1, 2, 3), new GELU()).eval(), QConfig.histogram()));
        assertTrue(u.getMessage().contains("GELU at '1' is not supported; supported: Conv2d, Linear"), u.getMessage());
        var b = assertThrows(
                IllegalArgumentException.class,
                () -> StaticQuantizer.prepare(
                        new Sequential(new ReLU(), new BatchNorm2d(2)).eval(), QConfig.histogram()));
        assertTrue(b.getMessage().contains("does not follow a Conv2d/Linear"), b.getMessage());
        var t = assertThrows(
                IllegalStateException.class,
                () -> StaticQuantizer.prepare(smallCnn().train(), QConfig.minMax()));
        assertTrue(t.getMessage().contains("training mode"), t.getMessage());
        assertEquals(
                java.util.Arrays.toString(before),
                java.util.Arrays.toString(model.stateDict().get("0.weight").toFloatArray()),
                "model untouched");
    }
}
