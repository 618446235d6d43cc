package dev.torchlet.serve;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Finds the layer Grad-CAM should explain: the module that last produces a (B, C, h, w) map with h, w > 1. */
public final class GradCamLayers {
    private GradCamLayers() {}

    /**
     * The dotted path of the last module (in completion order of one forward pass on zeros) whose output is a
     * 4-d feature map larger than 1x1: a ResNet's {@code layer4}, a VGG's last pooling, the cnn's last max-pool.
     * Null when the model has none (an MLP).
     */
    public static String lastConvStage(Module model, int... inputShape) {
        List<Module.HookHandle> hooks = new ArrayList<>();
        String[] last = {null};
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getKey().isEmpty()) {
                continue;
            }
            String path = e.getKey();
            hooks.add(e.getValue().registerForwardHook((m, in, out) -> {
                if (out.dim() == 4 && out.size(2) * out.size(3) > 1) {
                    last[0] = path;
                }
                return out;
            }));
        }
        try (var g = Torch.noGrad()) {
            Tensor x = Torch.zeros(1, inputShape[0], inputShape[1], inputShape[2]);
            model.call(x);
        } finally {
            hooks.forEach(Module.HookHandle::remove);
        }
        return last[0];
    }
}
