package dev.torchlet.vision.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * AlexNet as torchvision.models.alexnet builds it (the "one weird trick" variant, Krizhevsky 2014):
 * same module names, state-dict keys and order as torchvision, PyTorch's default layer initialization
 * (torchvision applies no init of its own here).
 *
 * <pre>
 *   features    0 Conv2d(3, 64, 11, stride 4, padding 2), 1 ReLU, 2 MaxPool2d(3, 2),
 *               3 Conv2d(64, 192, 5, padding 2), 4 ReLU, 5 MaxPool2d(3, 2),
 *               6 Conv2d(192, 384, 3, padding 1), 7 ReLU, 8 Conv2d(384, 256, 3, padding 1), 9 ReLU,
 *               10 Conv2d(256, 256, 3, padding 1), 11 ReLU, 12 MaxPool2d(3, 2)
 *                                                      (N, 3, 224, 224) -> (N, 256, 6, 6)
 *   avgpool     AdaptiveAvgPool2d(6), flatten          -> (N, 9216)
 *   classifier  0 Dropout, 1 Linear(9216, 4096), 2 ReLU, 3 Dropout, 4 Linear(4096, 4096), 5 ReLU,
 *               6 Linear(4096, numClasses)              -> (N, numClasses)
 * </pre>
 * Inputs must be at least 63x63 (torchvision's min_size). Factory: {@link #alexnet(int)}.
 */
public class AlexNet extends Module {
    /** torchvision's AlexNet model: "alexnet" -> numClasses -> model. */
    public static final Map<String, IntFunction<Module>> MODELS = models();

    private static final int MIN_SIZE = 63;

    /** AlexNet with dropout 0.5 (torchvision's default). */
    public AlexNet(int numClasses) {
        this(numClasses, 0.5);
    }

    /** @param dropout the classifier's dropout probability, in [0, 1] */
    public AlexNet(int numClasses, double dropout) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("AlexNet: numClasses must be >= 1, got " + numClasses);
        }
        registerModule(
                "features",
                new Sequential(
                        new Conv2d(3, 64, 11, 4, 2),
                        new ReLU(),
                        new MaxPool2d(3, 2),
                        new Conv2d(64, 192, 5, 1, 2),
                        new ReLU(),
                        new MaxPool2d(3, 2),
                        new Conv2d(192, 384, 3, 1, 1),
                        new ReLU(),
                        new Conv2d(384, 256, 3, 1, 1),
                        new ReLU(),
                        new Conv2d(256, 256, 3, 1, 1),
                        new ReLU(),
                        new MaxPool2d(3, 2)));
        registerModule("avgpool", new AdaptiveAvgPool2d(6));
        registerModule(
                "classifier",
                new Sequential(
                        new Dropout(dropout),
                        new Linear(256 * 6 * 6, 4096),
                        new ReLU(),
                        new Dropout(dropout),
                        new Linear(4096, 4096),
                        new ReLU(),
                        new Linear(4096, numClasses)));
    }

    /** torchvision's {@code alexnet}. */
    public static AlexNet alexnet(int numClasses) {
        return new AlexNet(numClasses);
    }

    @Override
    public Tensor forward(Tensor x) {
        Module features = child("features");
        Module first = features instanceof Sequential s && s.size() > 0 ? s.get(0) : null;
        ImageInputCheck.check("alexnet", "features.0", first, MIN_SIZE, x); // (N, 3, H, W)
        x = features.call(x); // (N, 256, h, w), 6x6 at 224x224
        x = child("avgpool").call(x); // (N, 256, 6, 6)
        x = x.flatten(1); // (N, 9216)
        return child("classifier").call(x); // (N, numClasses)
    }

    private static Map<String, IntFunction<Module>> models() {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("alexnet", AlexNet::alexnet);
        return Collections.unmodifiableMap(m);
    }
}
