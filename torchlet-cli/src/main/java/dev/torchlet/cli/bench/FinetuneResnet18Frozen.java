package dev.torchlet.cli.bench;

import dev.torchlet.MemoryFormat;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.optim.SGD;
import dev.torchlet.vision.models.Models;

/**
 * {@code finetune_resnet18_frozen_img_s}, the baseline's transfer-learning step: resnet18 with every
 * parameter frozen (requires_grad false; batch norm stays in train mode, as in the baseline) except a
 * new Linear(512, 5) head; cross-entropy; SGD lr 0.01 momentum 0.9; batch 16 x 3x224x224; median of 3. The batch
 * goes in channels-last ({@link MemoryFormat#CHANNELS_LAST}, converted inside the timed step): the frozen
 * backbone needs no gradient, so its convolutions, batch norms and activations run the channels-last kernels.
 */
final class FinetuneResnet18Frozen implements Workload {
    @Override
    public String name() {
        return "finetune_resnet18_frozen_img_s";
    }

    @Override
    public String description() {
        return "resnet18 frozen except a new Linear(512, 5) head, train step (SGD), batch 16 x 3x224x224 "
                + "channels-last";
    }

    @Override
    public Result run() {
        Module net = Models.create("resnet18", 1000);
        net.requiresGrad(false);
        net.replaceModule("fc", new Linear(512, 5));
        SGD opt = new SGD(net.getSubmodule("fc").parameters(), 0.01, 0.9);
        Tensor x = Torch.rand(16, 3, 224, 224);
        Tensor y = Torch.randint(0, 5, 16);
        double seconds = Timing.median(
                () -> {
                    opt.zeroGrad();
                    F.crossEntropy(net.call(x.contiguous(MemoryFormat.CHANNELS_LAST)), y)
                            .backward();
                    opt.step();
                },
                3);
        return new Result(16 / seconds, "img/s");
    }
}
