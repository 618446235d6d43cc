import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Fusion;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.models.Models;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One zoo model's inference with an NCHW batch against the same batch converted to channels-last inside each call
 * ({@link MemoryFormat#CHANNELS_LAST}), in one JVM, alternating about a second each for ROUNDS rounds, after
 * {@code Fusion.fuseForInference}: what the bench's zoo workloads gain from the layout. Prints the relative
 * difference of the two outputs and the median milliseconds per call of each.
 *
 * <pre>
 * ./mvnw -q install -DskipTests -Dtorchlet.fuzz.skip
 * CP="$(ls torchlet-cli/target/torchlet-cli-*.jar):$(ls torchlet-cli/target/lib/*.jar | tr '\n' ':')"
 * $JAVA_HOME/bin/java --add-modules jdk.incubator.vector -cp "$CP" tools/bench/LayoutAB.java resnet18 1 9
 * </pre>
 */
public final class LayoutAB {
    private LayoutAB() {}

    public static void main(String[] args) {
        String model = args[0];
        int batch = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Module net = Models.create(model, 1000).eval();
        Tensor x = Torch.rand(batch, 3, 224, 224);
        Fusion.fuseForInference(net, x);
        try (var g = Torch.noGrad()) {
            Tensor nchw = net.call(x);
            Tensor cl = net.call(x.contiguous(MemoryFormat.CHANNELS_LAST));
            double err = nchw.sub(cl).abs().max().item() / nchw.abs().max().item();
            List<Double> rowMajor = new ArrayList<>();
            List<Double> channelsLast = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                rowMajor.add(millisPerCall(() -> net.call(x)));
                channelsLast.add(millisPerCall(() -> net.call(x.contiguous(MemoryFormat.CHANNELS_LAST))));
            }
            Collections.sort(rowMajor);
            Collections.sort(channelsLast);
            double a = rowMajor.get(rounds / 2);
            double b = channelsLast.get(rounds / 2);
            System.out.printf(
                    "%s batch %d: NCHW %.2f ms, channels-last %.2f ms (%.2fx), outputs differ by %.1e relative%n",
                    model, batch, a, b, a / b, err);
        }
    }

    private static double millisPerCall(Runnable call) {
        call.run();
        long t0 = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - t0 < 1_000_000_000L) {
            call.run();
            n++;
        }
        return (System.nanoTime() - t0) / 1e6 / n;
    }
}
