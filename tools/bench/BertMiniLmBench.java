import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.text.models.Bert;
import dev.torchlet.text.models.BertConfig;
import java.util.Arrays;

/**
 * The hand-built peer of tools/bench/OnnxMiniLmBench.java: torchlet-text's Bert with all-MiniLM-L6-v2's sizes
 * (6 layers, hidden 384, 12 heads, feed-forward 1536, exact GELU; random weights), batch 8 x 128 tokens, the same
 * ids and an all-ones mask. Prints "bert_minilm_b8x128_ms <median>".
 * Run (after ./mvnw -q -o -pl torchlet-core,torchlet-data,torchlet-text compile): java --add-modules
 *   jdk.incubator.vector -cp "torchlet-text/target/classes:torchlet-data/target/classes:torchlet-core/target/classes:$(ls
 *   ~/.m2/repository/com/fasterxml/jackson/core/*\/2.21*\/*.jar | tr '\n' ':')" tools/bench/BertMiniLmBench.java [runs]
 */
public class BertMiniLmBench {
    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Torch.manualSeed(0);
        Bert model = new Bert(new BertConfig(30522, 384, 6, 12, 1536, "gelu", 0.1, 0.1, 512, 2, 1e-12, 0));
        model.eval();
        int b = 8;
        int t = 128;
        long[] ids = new long[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % t == 0 ? 101 : 1000 + ((i * 7919L) % 20000);
        }
        long[] ones = new long[b * t];
        Arrays.fill(ones, 1);
        Tensor idsT = Torch.tensor(ids, b, t);
        Tensor mask = Torch.tensor(ones, b, t);
        Tensor types = Torch.tensor(new long[b * t], b, t);
        double[] times = new double[runs];
        try (var g = Torch.noGrad()) {
            for (int i = 0; i < 3; i++) {
                model.call(idsT, types, mask);
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                model.call(idsT, types, mask);
                times[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(times);
        System.out.printf("bert_minilm_b8x128_ms %.1f%n", times[runs / 2]);
    }
}
