import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Torchlet's latency on all-MiniLM-L6-v2 imported from ONNX, batch 8 x 128 tokens (the peer is
 * tools/bench/onnx_minilm_ort.mjs, same inputs). Prints "minilm_b8x128_ms <median>".
 * Run (after ./mvnw -pl torchlet-onnx -am package -DskipTests):
 *   java --add-modules jdk.incubator.vector -cp "torchlet-onnx/target/classes:torchlet-core/target/classes:$(ls
 *   ~/.m2/repository/com/google/protobuf/protobuf-java/4.36.2/*.jar):$(ls
 *   ~/.m2/repository/com/fasterxml/jackson/core/*\/2.21*\/*.jar | tr '\n' ':')" tools/bench/OnnxMiniLmBench.java
 *   all-minilm-l6-v2.onnx [runs] [unoptimized]
 * The third argument "unoptimized" loads with OnnxModel.Options(false): the file's nodes one by one. Runs in
 * Torch.inferenceMode() (recycled buffers, Linear weights packed once); -DnoGrad=true runs in Torch.noGrad() instead.
 */
public class OnnxMiniLmBench {
    public static void main(String[] args) throws Exception {
        boolean optimize = !(args.length > 2 && args[2].equals("unoptimized"));
        boolean inferenceMode = !Boolean.getBoolean("noGrad");
        OnnxModel model = OnnxModel.load(Path.of(args[0]), new OnnxModel.Options(optimize));
        model.eval();
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int b = 8;
        int t = 128;
        long[] ids = new long[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % t == 0 ? 101 : 1000 + ((i * 7919L) % 20000);
        }
        long[] ones = new long[b * t];
        Arrays.fill(ones, 1);
        Map<String, Tensor> feeds = Map.of(
                "input_ids", Torch.tensor(ids, b, t),
                "attention_mask", Torch.tensor(ones, b, t),
                "token_type_ids", Torch.tensor(new long[b * t], b, t));
        double[] times = new double[runs];
        try (var g = inferenceMode ? Torch.inferenceMode() : Torch.noGrad()) {
            for (int i = 0; i < 3; i++) {
                model.run(feeds);
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                model.run(feeds);
                times[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(times);
        System.out.printf("minilm_b8x128_ms %.1f%s%n", times[runs / 2], optimize ? "" : " (unoptimized)");
    }
}
