import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.onnx.OnnxModel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Torchlet's batch-1 latency on an image model imported from ONNX (input 1 x 3 x 224 x 224, the same values as
 * tools/bench/onnx_image_ort.mjs), after the bench's JIT-aware warm-up. Prints "<name>_b1_ms <median>". Class path as
 * in OnnxMiniLmBench.java.
 */
public class OnnxImageBench {
    public static void main(String[] args) throws Exception {
        OnnxModel model = OnnxModel.load(Path.of(args[0]));
        model.eval();
        System.err.println("fused operators: " + model.fusedOperatorCounts());
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        float[] data = new float[3 * 224 * 224];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) Math.sin(i * 0.001);
        }
        Tensor x = Torch.tensor(data, 1, 3, 224, 224);
        double[] times = new double[runs];
        try (var g = Torch.inferenceMode()) { // activations recycled, as ONNX Runtime's arena does
            // as ./torchlet bench warms up (Timing.warmUp): 5 runs, then at least 1 s and on until the JIT has been
            // idle for 0.5 s, at most 9 s
            for (int i = 0; i < 5; i++) {
                model.call(x);
            }
            var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
            long start = System.nanoTime();
            long compiled = jit.getTotalCompilationTime();
            long quietSince = start;
            while (System.nanoTime() - start < 9e9
                    && (System.nanoTime() - start < 1e9 || System.nanoTime() - quietSince < 0.5e9)) {
                model.call(x);
                if (jit.getTotalCompilationTime() != compiled) {
                    compiled = jit.getTotalCompilationTime();
                    quietSince = System.nanoTime();
                }
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                model.call(x);
                times[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(times);
        String name = Path.of(args[0]).getFileName().toString().replace(".onnx", "");
        System.out.printf("%s_b1_ms %.1f%n", name, times[runs / 2]);
    }
}
