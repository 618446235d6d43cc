package dev.torchlet.cli.bench;

import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Fusion;
import dev.torchlet.nn.Module;
import dev.torchlet.vision.models.Models;

/**
 * Zoo inference workloads, as the baseline defines them: a torchvision model (1000 classes, its random
 * init), eval mode, no graph, input {@code batch} x 3x224x224; {@code *_b1_ms} is the median latency of 5
 * runs in ms, {@code *_img_s} the throughput of the median of 3 runs. Before timing, batch norm is folded into
 * the convolutions and the ReLU/ReLU6 after them fused ({@link Fusion#fuseForInference}), as ONNX Runtime does
 * when it loads a model. The input goes in as the peers get it, NCHW: in {@link Torch#inferenceMode()} (PyTorch's
 * {@code torch.inference_mode()}: no graph, and the activations' buffers recycled from layer to layer and call to
 * call, as ONNX Runtime's memory arena does) the stem convolution reads the RGB batch as it is into its padded
 * channels-last scratch and writes channels-last ({@link MemoryFormat#CHANNELS_LAST}), so every convolution after it
 * runs the channels-last kernels with weights packed once, as ONNX Runtime reorders its input into its own blocked
 * layout inside the run. (Until session 32 the batch was converted with {@code x.contiguous(CHANNELS_LAST)} inside
 * the timed call, then padded again by the stem.)
 */
final class ZooInference implements Workload {
    private final String name;
    private final String model;
    private final int batch;

    ZooInference(String name, String model, int batch) {
        this.name = name;
        this.model = model;
        this.batch = batch;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return model + " (1000 classes), eval, batch norm folded, batch " + batch
                + " x 3x224x224 (NCHW, the network channels-last), " + (batch == 1 ? "latency" : "throughput");
    }

    @Override
    public Result run() {
        Module net = Models.create(model, 1000).eval();
        Tensor x = Torch.rand(batch, 3, 224, 224);
        Fusion.fuseForInference(net, x);
        Runnable call = () -> net.call(x);
        try (var g = Torch.inferenceMode()) {
            if (batch == 1) {
                return new Result(1000 * Timing.median(call, 5), "ms");
            }
            return new Result(batch / Timing.median(call, 3), "img/s");
        }
    }
}
