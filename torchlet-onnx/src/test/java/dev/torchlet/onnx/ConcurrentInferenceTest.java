package dev.torchlet.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.ConcurrentCalls;
import dev.torchlet.testing.ConcurrentCalls.Output;
import dev.torchlet.vision.models.Models;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent inference on imported ONNX models (issue #18): threads running one {@link OnnxModel} instance at
 * once, on inputs of different shapes, get exactly what sequential runs got, with and without
 * {@code Torch.noGrad()} and in {@code Torch.inferenceMode()} (one buffer pool for all threads). Covers a real
 * transformer (all-MiniLM-L6-v2, float and int8) and a CNN exported by tracing and imported back.
 */
class ConcurrentInferenceTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 1;
    private static final int VOCAB = 30522;
    /** (batch, length) of the token inputs. */
    private static final int[][] SHAPES = {{1, 5}, {2, 8}, {3, 4}, {1, 7}};

    @Test
    void allMiniLmL6V2() throws IOException {
        checkTextModel("all-MiniLM-L6-v2", RealModelsTest.fromClasspath("all-minilm-l6-v2.onnx"), true);
    }

    @Test
    void allMiniLmL6V2Int8() throws IOException {
        // the slowest model here: noGrad only (as a server runs it); grad mode on is covered by the float model
        checkTextModel("all-MiniLM-L6-v2 int8", RealModelsTest.fromClasspath("all-minilm-l6-v2-q.onnx"), false);
    }

    @Test
    void exportedResNet(@TempDir Path dir) throws IOException {
        Torch.manualSeed(18);
        Path file = dir.resolve("resnet18.onnx");
        OnnxExport.save(Models.create("resnet18", 10).eval(), Torch.randn(1, 3, 32, 32), file);
        OnnxModel model = OnnxModel.load(file);
        model.eval();
        List<Tensor> images = new ArrayList<>();
        for (int b : new int[] {1, 3, 2, 1}) {
            images.add(Torch.randn(b, 3, 32, 32));
        }
        for (Tensor image : images) { // the graph's dead values recycled: not one value changes
            Tensor want;
            try (var g = Torch.noGrad()) {
                want = model.call(image);
            }
            try (var s = Torch.inferenceMode()) {
                for (int round = 0; round < 2; round++) {
                    assertArrayEquals(want.toFloatArray(), model.call(image).toFloatArray(), "inferenceMode");
                }
            }
        }
        checkBothGradModes("resnet18 via ONNX", images.size(), i -> List.of(Output.of(model.call(images.get(i)))));
    }

    private static void checkTextModel(String name, OnnxModel model, boolean alsoWithGradMode) {
        model.eval();
        Torch.manualSeed(18);
        List<Map<String, Tensor>> feeds = new ArrayList<>();
        for (int[] s : SHAPES) {
            feeds.add(Map.of(
                    "input_ids", Torch.randint(0, VOCAB, s[0], s[1]),
                    "attention_mask", Torch.ones(DType.INT64, s[0], s[1]),
                    "token_type_ids", Torch.zeros(DType.INT64, s[0], s[1])));
        }
        IntFunction<List<Output>> call = i -> {
            List<Output> out = new ArrayList<>();
            model.run(feeds.get(i)).values().forEach(t -> out.add(Output.of(t)));
            return out;
        };
        for (Map<String, Tensor> feed : feeds) { // dead values recycled by the graph: not one value changes
            Map<String, Tensor> want;
            try (var g = Torch.noGrad()) {
                want = model.run(feed);
            }
            try (var s = Torch.inferenceMode()) {
                Map<String, Tensor> got = model.run(feed);
                for (String output : want.keySet()) {
                    assertArrayEquals(
                            want.get(output).toFloatArray(), got.get(output).toFloatArray(), output);
                }
            }
        }
        if (alsoWithGradMode) {
            checkBothGradModes(name, feeds.size(), call);
        } else {
            ConcurrentCalls.assertSameAsSequential(name + ", noGrad", feeds.size(), noGrad(call), THREADS, ROUNDS);
        }
    }

    private static void checkBothGradModes(String what, int inputs, IntFunction<List<Output>> call) {
        ConcurrentCalls.assertSameAsSequential(what + ", noGrad", inputs, noGrad(call), THREADS, ROUNDS);
        // inference mode: the threads' convolutions take their outputs from, and give dead values back to, one pool
        ConcurrentCalls.assertSameAsSequential(what + ", inferenceMode", inputs, inferenceMode(call), THREADS, ROUNDS);
        // grad mode on (the default on every new thread): each call records its own graph
        ConcurrentCalls.assertSameAsSequential(what + ", grad mode on", inputs, call, THREADS, ROUNDS);
    }

    private static IntFunction<List<Output>> inferenceMode(IntFunction<List<Output>> call) {
        return i -> {
            try (var s = Torch.inferenceMode()) {
                return call.apply(i);
            }
        };
    }

    private static IntFunction<List<Output>> noGrad(IntFunction<List<Output>> call) {
        return i -> {
            try (var g = Torch.noGrad()) {
                return call.apply(i);
            }
        };
    }
}
