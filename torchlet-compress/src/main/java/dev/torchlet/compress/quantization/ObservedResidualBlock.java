package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Fusion;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.Sequential;
import dev.torchlet.vision.models.ResNet;
import java.util.ArrayList;
import java.util.List;

/**
 * A ResNet BasicBlock or Bottleneck prepared for static quantization, torchvision's quantizable blocks:
 * {@code relu(body(x) + shortcut(x))} with each conv+bn(+relu) of the body and of the downsample fused into an
 * {@link ObservedLayer}, and an observer after the add+relu ({@code FloatFunctional.add_relu}).
 *
 * <p>Children: {@code body} (Sequential of ObservedLayer), {@code downsample} (ObservedLayer, if the block has
 * one), {@code activation_post_process}.
 */
final class ObservedResidualBlock extends Module {
    ObservedResidualBlock(Module block, QConfig qconfig) {
        List<Module> body = new ArrayList<>();
        boolean bottleneck = block instanceof ResNet.Bottleneck;
        int convs = bottleneck ? 3 : 2;
        for (int i = 1; i <= convs; i++) {
            Conv2d fused = Fusion.fuseConvBnEval((Conv2d) block.child("conv" + i), (BatchNorm2d) block.child("bn" + i));
            body.add(new ObservedLayer(fused, i < convs, qconfig));
        }
        registerModule("body", new Sequential(body.toArray(new Module[0])));
        if (block.namedChildren().containsKey("downsample")) {
            Module ds = block.child("downsample"); // Sequential(conv1x1, BatchNorm2d)
            Conv2d fused = Fusion.fuseConvBnEval((Conv2d) ds.child("0"), (BatchNorm2d) ds.child("1"));
            registerModule("downsample", new ObservedLayer(fused, false, qconfig));
        }
        Observer observer = qconfig.newActivationObserver();
        registerModule("activation_post_process", qconfig.qat() ? new FakeQuantize(observer) : observer);
    }

    static boolean isResidualBlock(Module m) {
        return m instanceof ResNet.BasicBlock || m instanceof ResNet.Bottleneck;
    }

    Observer outputObserver() {
        Module m = child("activation_post_process");
        return m instanceof FakeQuantize fq ? fq.observer() : (Observer) m;
    }

    List<ObservedLayer> layers() {
        List<ObservedLayer> out = new ArrayList<>();
        child("body").children().forEach(m -> out.add((ObservedLayer) m));
        if (namedChildren().containsKey("downsample")) {
            out.add((ObservedLayer) child("downsample"));
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = child("body").call(x);
        Tensor shortcut =
                namedChildren().containsKey("downsample") ? child("downsample").call(x) : x;
        return child("activation_post_process").call(out.add(shortcut).relu());
    }
}
