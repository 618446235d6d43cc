package dev.torchlet.vision.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.ConvActivation2d;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.MaxPool2d;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU;
import dev.torchlet.nn.Sequential;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * ResNet, ResNeXt and Wide ResNet as torchvision.models.resnet builds them (He et al. 2015; the
 * "ResNet v1.5" variant with the stride on the 3x3 convolution of a bottleneck). Same module names,
 * state-dict keys and order, and default initialization, so torchvision's weight files load.
 *
 * <pre>
 *   conv1    Conv2d(3, 64, 7, stride 2, padding 3, no bias)   (N, 3, H, W) -> (N, 64, H/2, W/2)
 *   bn1, relu
 *   maxpool  MaxPool2d(3, stride 2, padding 1)               -> (N, 64, H/4, W/4)
 *   layer1   Sequential of blocks, 64 planes                 -> (N, 64 e, H/4, W/4)
 *   layer2   128 planes, first block stride 2                -> (N, 128 e, H/8, W/8)
 *   layer3   256 planes, stride 2                            -> (N, 256 e, H/16, W/16)
 *   layer4   512 planes, stride 2                            -> (N, 512 e, H/32, W/32)
 *   avgpool  AdaptiveAvgPool2d(1), flatten                   -> (N, 512 e)
 *   fc       Linear(512 e, numClasses)                       -> (N, numClasses)
 * </pre>
 * e is the block's expansion: 1 for {@link BasicBlock} (two 3x3 convolutions), 4 for {@link Bottleneck}
 * (1x1 reduce, 3x3 with groups, 1x1 expand). A layer's first block gets a {@code downsample}
 * (1x1 convolution with the stride + batch norm, names {@code downsample.0}/{@code downsample.1}) when
 * the stride or channel count changes. Keys come out as torchvision's: {@code layer1.0.conv1.weight},
 * {@code layer2.0.downsample.1.running_var}, {@code fc.bias}.
 *
 * <p>Initialization (torchvision's): every Conv2d weight kaiming-normal (fan out, relu gain), every
 * BatchNorm2d weight 1 and bias 0, {@code fc} PyTorch's Linear default; with {@code zeroInitResidual}
 * the last batch norm of each block starts at weight 0 so every block starts as the identity.
 *
 * <p>Typed factories by torchvision's function names: {@link #resnet18}, {@link #resnet34},
 * {@link #resnet50}, {@link #resnet101}, {@link #resnet152}, {@link #resnext50_32x4d}
 * ({@code resnext50_32x4d}: 32 groups of width 4), {@link #resnext101_32x8d}, {@link #resnext101_64x4d},
 * {@link #wideResnet50_2} ({@code wide_resnet50_2}: bottlenecks twice as wide), {@link #wideResnet101_2}
 * ({@code wide_resnet101_2}); {@link #MODELS} maps the torchvision names to them.
 */
public class ResNet extends Module {
    /** torchvision's ResNet models: name -> numClasses -> model, in torchvision's order. */
    public static final Map<String, IntFunction<Module>> MODELS = models();

    private final Options options;

    /** The residual block a ResNet stacks, with its channel expansion (output channels / planes). */
    public enum BlockType {
        /** Two 3x3 convolutions (ResNet-18/34). */
        BASIC(1),
        /** 1x1, 3x3 (grouped), 1x1 convolutions (ResNet-50 and deeper, ResNeXt, Wide ResNet). */
        BOTTLENECK(4);

        private final int expansion;

        BlockType(int expansion) {
            this.expansion = expansion;
        }

        public int expansion() {
            return expansion;
        }
    }

    /**
     * The architecture, as torchvision's {@code ResNet(block, layers, ...)} arguments (with BatchNorm2d
     * as the norm layer).
     *
     * @param name                      the model's name in messages (torchvision's function name)
     * @param block                     the block type
     * @param layers                    blocks in layer1..layer4 (4 counts, each &gt;= 1)
     * @param numClasses                outputs of {@code fc}, &gt;= 1 (default 1000)
     * @param zeroInitResidual          start each block's last batch-norm weight at 0 (default false)
     * @param groups                    groups of the bottleneck 3x3 convolution (default 1; ResNeXt 32)
     * @param widthPerGroup             channels per group at 64 planes (default 64; ResNeXt 4, Wide 128)
     * @param replaceStrideWithDilation for layer2..layer4: dilate instead of striding (default all
     *                                  false; segmentation backbones use false, true, true)
     */
    public record Options(
            String name,
            BlockType block,
            List<Integer> layers,
            int numClasses,
            boolean zeroInitResidual,
            int groups,
            int widthPerGroup,
            List<Boolean> replaceStrideWithDilation) {
        public Options {
            if (block == null) {
                throw new IllegalArgumentException("ResNet: block type must not be null");
            }
            if (layers == null || layers.size() != 4 || layers.stream().anyMatch(n -> n == null || n < 1)) {
                throw new IllegalArgumentException("ResNet: layers must be 4 block counts >= 1, got " + layers);
            }
            if (numClasses < 1) {
                throw new IllegalArgumentException("ResNet: numClasses must be >= 1, got " + numClasses);
            }
            if (groups < 1 || widthPerGroup < 1) {
                throw new IllegalArgumentException(
                        "ResNet: groups and widthPerGroup must be >= 1, got " + groups + " and " + widthPerGroup);
            }
            if (block == BlockType.BASIC && (groups != 1 || widthPerGroup != 64)) {
                throw new IllegalArgumentException("ResNet: BasicBlock only supports groups=1 and widthPerGroup=64, "
                        + "got " + groups + " and " + widthPerGroup);
            }
            if (replaceStrideWithDilation == null
                    || replaceStrideWithDilation.size() != 3
                    || replaceStrideWithDilation.stream().anyMatch(Objects::isNull)) {
                throw new IllegalArgumentException("ResNet: replaceStrideWithDilation should be 3 booleans (layer2, "
                        + "layer3, layer4), got " + replaceStrideWithDilation);
            }
            if (block == BlockType.BASIC && replaceStrideWithDilation.contains(true)) {
                throw new IllegalArgumentException("ResNet: dilation > 1 not supported in BasicBlock");
            }
            name = name == null ? "resnet" : name;
            layers = List.copyOf(layers);
            replaceStrideWithDilation = List.copyOf(replaceStrideWithDilation);
        }

        /** 1000 classes, groups 1, width 64, no zero init, no dilation: torchvision's defaults. */
        public static Options of(BlockType block, int... layers) {
            return new Options(
                    "resnet",
                    block,
                    java.util.Arrays.stream(layers).boxed().toList(),
                    1000,
                    false,
                    1,
                    64,
                    List.of(false, false, false));
        }

        public Options withName(String n) {
            return new Options(
                    n, block, layers, numClasses, zeroInitResidual, groups, widthPerGroup, replaceStrideWithDilation);
        }

        public Options withNumClasses(int c) {
            return new Options(
                    name, block, layers, c, zeroInitResidual, groups, widthPerGroup, replaceStrideWithDilation);
        }

        public Options withZeroInitResidual(boolean z) {
            return new Options(name, block, layers, numClasses, z, groups, widthPerGroup, replaceStrideWithDilation);
        }

        public Options withGroups(int g) {
            return new Options(
                    name, block, layers, numClasses, zeroInitResidual, g, widthPerGroup, replaceStrideWithDilation);
        }

        public Options withWidthPerGroup(int w) {
            return new Options(name, block, layers, numClasses, zeroInitResidual, groups, w, replaceStrideWithDilation);
        }

        /** Dilate instead of striding in layer2, layer3, layer4 (torchvision's replace_stride_with_dilation). */
        public Options withReplaceStrideWithDilation(boolean layer2, boolean layer3, boolean layer4) {
            return new Options(
                    name,
                    block,
                    layers,
                    numClasses,
                    zeroInitResidual,
                    groups,
                    widthPerGroup,
                    List.of(layer2, layer3, layer4));
        }
    }

    public ResNet(Options options) {
        this.options = options;
        registerModule(
                "conv1",
                new Conv2d(
                        Conv2dOptions.of(3, 64, 7).withStride(2).withPadding(3).withBias(false)));
        registerModule("bn1", new BatchNorm2d(64));
        registerModule("relu", new ReLU());
        registerModule("maxpool", new MaxPool2d(3, 2, 1, 1, false));
        // _make_layer's running state: channels into the next block, current dilation
        int[] state = {64, 1};
        int[] planes = {64, 128, 256, 512};
        for (int i = 0; i < 4; i++) {
            int stride = i == 0 ? 1 : 2;
            boolean dilate = i > 0 && options.replaceStrideWithDilation().get(i - 1);
            registerModule(
                    "layer" + (i + 1),
                    makeLayer(options, state, planes[i], options.layers().get(i), stride, dilate));
        }
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("fc", new Linear(512 * options.block().expansion(), options.numClasses()));
        initialize(options.zeroInitResidual());
    }

    /** torchvision's _make_layer: state = {inplanes, dilation}, updated for the next layer. */
    private static Sequential makeLayer(Options o, int[] state, int planes, int blocks, int stride, boolean dilate) {
        int expansion = o.block().expansion();
        int previousDilation = state[1];
        if (dilate) {
            state[1] *= stride;
            stride = 1;
        }
        Module downsample = null;
        if (stride != 1 || state[0] != planes * expansion) {
            downsample =
                    new Sequential(conv1x1(state[0], planes * expansion, stride), new BatchNorm2d(planes * expansion));
        }
        Sequential layer = new Sequential();
        var first = new BlockOptions(state[0], planes, stride, o.groups(), o.widthPerGroup(), previousDilation);
        layer.add(newBlock(o.block(), first, downsample));
        state[0] = planes * expansion;
        for (int b = 1; b < blocks; b++) {
            var next = new BlockOptions(state[0], planes, 1, o.groups(), o.widthPerGroup(), state[1]);
            layer.add(newBlock(o.block(), next, null));
        }
        return layer;
    }

    private static Module newBlock(BlockType type, BlockOptions o, Module downsample) {
        return type == BlockType.BASIC ? new BasicBlock(o, downsample) : new Bottleneck(o, downsample);
    }

    /** torchvision's init loop over self.modules(), then the optional zero init of the residual branches. */
    private void initialize(boolean zeroInitResidual) {
        for (Module m : modules()) {
            if (m instanceof Conv2d conv) {
                Init.kaimingNormal(conv.weight(), 0, Init.FanMode.FAN_OUT, "relu");
            } else if (m instanceof BatchNorm2d bn) {
                Init.ones(bn.weight());
                Init.zeros(bn.bias());
            }
        }
        if (zeroInitResidual) {
            for (Module m : modules()) {
                if (m instanceof Bottleneck) {
                    Init.zeros(m.getParameter("bn3.weight"));
                } else if (m instanceof BasicBlock) {
                    Init.zeros(m.getParameter("bn2.weight"));
                }
            }
        }
    }

    /** The architecture this model was built with. */
    public Options options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor input) {
        ImageInputCheck.check(options.name(), "conv1", child("conv1"), 1, input); // (N, 3, H, W)
        Tensor x = then("conv1", input, input); // (N, 64, H/2, W/2)
        Tensor normalized = bnAddRelu(this, "bn1", x, null, input); // null when fused or hooked
        x = normalized != null ? normalized : then("relu", then("bn1", x, input), input);
        x = then("maxpool", x, input); // (N, 64, H/4, W/4)
        x = then("layer1", x, input); // (N, 64 e, H/4, W/4)
        x = then("layer2", x, input); // (N, 128 e, H/8, W/8)
        x = then("layer3", x, input); // (N, 256 e, H/16, W/16)
        x = then("layer4", x, input); // (N, 512 e, H/32, W/32)
        x = then("avgpool", x, input); // (N, 512 e, 1, 1)
        x = x.flatten(1); // (N, 512 e)
        return child("fc").call(x); // (N, numClasses)
    }

    /** Child {@code name} applied to h; in inference mode h's buffer is recycled then (unless it is the input). */
    private Tensor then(String name, Tensor h, Tensor input) {
        Tensor out = child(name).call(h);
        if (h != input) {
            releaseIntermediate(this, h, input, out);
        }
        return out;
    }

    // ---------------------------------------------------------------- blocks

    /**
     * Settings of one residual block (torchvision's block arguments besides downsample and norm layer).
     *
     * @param inplanes  input channels
     * @param planes    base channels; the block outputs planes * expansion
     * @param stride    stride of the block (on the 3x3 convolution) and of its downsample
     * @param groups    groups of the 3x3 convolution (bottleneck only)
     * @param baseWidth channels per group at 64 planes (bottleneck only)
     * @param dilation  dilation (and padding) of the 3x3 convolution(s)
     */
    public record BlockOptions(int inplanes, int planes, int stride, int groups, int baseWidth, int dilation) {
        public BlockOptions {
            if (inplanes < 1 || planes < 1 || stride < 1 || groups < 1 || baseWidth < 1 || dilation < 1) {
                throw new IllegalArgumentException("ResNet block: all settings must be >= 1, got inplanes="
                        + inplanes + ", planes=" + planes + ", stride=" + stride + ", groups=" + groups
                        + ", baseWidth=" + baseWidth + ", dilation=" + dilation);
            }
        }

        /** Stride 1, one group, base width 64, no dilation. */
        public static BlockOptions of(int inplanes, int planes) {
            return new BlockOptions(inplanes, planes, 1, 1, 64, 1);
        }

        public BlockOptions withStride(int s) {
            return new BlockOptions(inplanes, planes, s, groups, baseWidth, dilation);
        }
    }

    /** 3x3 convolution, padding = dilation, no bias (torchvision's conv3x3). */
    static Conv2d conv3x3(int in, int out, int stride, int groups, int dilation) {
        return new Conv2d(Conv2dOptions.of(in, out, 3)
                .withStride(stride)
                .withPadding(dilation)
                .withGroups(groups)
                .withDilation(dilation)
                .withBias(false));
    }

    /** 1x1 convolution, no bias (torchvision's conv1x1). */
    static Conv2d conv1x1(int in, int out, int stride) {
        return new Conv2d(Conv2dOptions.of(in, out, 1).withStride(stride).withBias(false));
    }

    /**
     * relu(out), unless out is already non-negative because the conv before it applied the ReLU itself: after
     * {@link dev.torchlet.nn.Fusion#fuseForInference} the conv is a ConvActivation2d clamping at 0 and its batch
     * norm an Identity. The block's one ReLU module, called at two or three places, cannot become an Identity
     * for just one of them; skipping it here saves a pass over the activations (two of a bottleneck's three).
     */
    private static Tensor reluAfter(Module block, String conv, String bn, Tensor out, Tensor x) {
        boolean applied = block.child(conv) instanceof ConvActivation2d fused
                && fused.lo() >= 0f
                && block.child(bn) instanceof Identity;
        return applied ? out : step(block, "relu", out, x);
    }

    /**
     * relu(bn(h)) for h, the output of the block's conv on the way from x: {@link #bnAddRelu} when it applies, else
     * the batch norm then {@link #reluAfter}.
     */
    private static Tensor bnRelu(Module block, String conv, String bn, Tensor h, Tensor x) {
        Tensor y = bnAddRelu(block, bn, h, null, x);
        return y != null ? y : reluAfter(block, conv, bn, step(block, bn, h, x), x);
    }

    /**
     * relu(bn(h) + addend) (addend may be null) through {@link BatchNorm2d#forwardAddClamped} when bn is a
     * BatchNorm2d and relu a ReLU, neither with hooks: for a frozen network (transfer learning's backbone) one pass
     * over h instead of two or three, the same values; h goes back to the pool. Else null.
     */
    private static Tensor bnAddRelu(Module block, String bn, Tensor h, Tensor addend, Tensor x) {
        Module b = block.child(bn);
        Module relu = block.child("relu");
        if (b.getClass() != BatchNorm2d.class
                || relu.getClass() != ReLU.class
                || b.hasForwardHooks()
                || relu.hasForwardHooks()) {
            return null;
        }
        Tensor y = ((BatchNorm2d) b).forwardAddClamped(h, addend, 0f, Float.POSITIVE_INFINITY);
        releaseIntermediate(block, h, x, y);
        return y;
    }

    /**
     * block's child {@code name} applied to h, an activation of the block's forward on x that nothing reads after
     * it: unless h is x, its buffer goes back to the pool when the forward records no graph (inference mode, or a
     * frozen block), so the next activation lands in cached memory instead of fresh memory the JVM must zero.
     */
    private static Tensor step(Module block, String name, Tensor h, Tensor x) {
        Tensor out = block.child(name).call(h);
        if (h != x) {
            releaseIntermediate(block, h, x, out);
        }
        return out;
    }

    /**
     * The block's ending: relu(bn(conv(out)) + shortcut(x)), the shortcut being x or downsample(x). In inference
     * after {@link dev.torchlet.nn.Fusion#fuseForInference} (bn folded into an Identity) and with no hooks on conv,
     * bn or relu, it is one convolution that adds the shortcut and applies the ReLU as it stores its output
     * ({@link Conv2d#forwardAddClamped}): two passes over the block's output fewer.
     */
    private static Tensor convAddRelu(Module block, String conv, String bn, Tensor out, Tensor x) {
        Module c = block.child(conv);
        Module b = block.child(bn);
        Module relu = block.child("relu");
        if (c instanceof Conv2d fusable
                && b instanceof Identity
                && relu.getClass() == ReLU.class
                && !c.hasForwardHooks()
                && !b.hasForwardHooks()
                && !relu.hasForwardHooks()) {
            Tensor sc = shortcut(block, x);
            Tensor y = fusable.forwardAddClamped(out, sc, 0f, Float.POSITIVE_INFINITY);
            releaseIntermediate(block, sc, x, y); // inference mode: the projected shortcut and the block's inner output
            releaseIntermediate(block, out, x, y);
            return y;
        }
        Tensor h = step(block, conv, out, x);
        Tensor sc = shortcut(block, x);
        Tensor y = bnAddRelu(block, bn, h, sc, x);
        if (y != null) {
            releaseIntermediate(block, sc, x, y);
            return y;
        }
        out = step(block, bn, h, x);
        Tensor sum = out.add(sc);
        releaseIntermediate(block, out, x, sum); // without a graph: the block's inner output and the projected
        releaseIntermediate(block, sc, x, sum); // shortcut are read no more
        return step(block, "relu", sum, x);
    }

    /** The input, or downsample(input) when the block has one. */
    private static Tensor shortcut(Module block, Tensor x) {
        return block.namedChildren().containsKey("downsample")
                ? block.child("downsample").call(x)
                : x;
    }

    /**
     * Two 3x3 convolutions with a shortcut: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).
     * Children conv1, bn1, relu, conv2, bn2, [downsample]; (N, inplanes, H, W) -> (N, planes, H/s, W/s).
     */
    public static class BasicBlock extends Module {
        public static final int EXPANSION = 1;

        /** @param downsample the shortcut's projection (Sequential(conv1x1, BatchNorm2d)), or null for identity */
        public BasicBlock(BlockOptions o, Module downsample) {
            if (o.groups() != 1 || o.baseWidth() != 64) {
                throw new IllegalArgumentException("BasicBlock only supports groups=1 and base_width=64, got "
                        + o.groups() + " and " + o.baseWidth());
            }
            if (o.dilation() > 1) {
                throw new IllegalArgumentException("Dilation > 1 not supported in BasicBlock, got " + o.dilation());
            }
            registerModule("conv1", conv3x3(o.inplanes(), o.planes(), o.stride(), 1, 1));
            registerModule("bn1", new BatchNorm2d(o.planes()));
            registerModule("relu", new ReLU());
            registerModule("conv2", conv3x3(o.planes(), o.planes(), 1, 1, 1));
            registerModule("bn2", new BatchNorm2d(o.planes()));
            if (downsample != null) {
                registerModule("downsample", downsample);
            }
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor out = child("conv1").call(x); // (N, planes, H/s, W/s)
            out = bnRelu(this, "conv1", "bn1", out, x);
            return convAddRelu(this, "conv2", "bn2", out, x);
        }
    }

    /**
     * 1x1 reduce, 3x3 (stride, groups, dilation), 1x1 expand, with a shortcut; width =
     * planes * baseWidth / 64 * groups. Children conv1, bn1, conv2, bn2, conv3, bn3, relu, [downsample];
     * (N, inplanes, H, W) -> (N, 4 planes, H/s, W/s).
     */
    public static class Bottleneck extends Module {
        public static final int EXPANSION = 4;

        /** @param downsample the shortcut's projection (Sequential(conv1x1, BatchNorm2d)), or null for identity */
        public Bottleneck(BlockOptions o, Module downsample) {
            int width = (int) (o.planes() * (o.baseWidth() / 64.0)) * o.groups();
            registerModule("conv1", conv1x1(o.inplanes(), width, 1));
            registerModule("bn1", new BatchNorm2d(width));
            registerModule("conv2", conv3x3(width, width, o.stride(), o.groups(), o.dilation()));
            registerModule("bn2", new BatchNorm2d(width));
            registerModule("conv3", conv1x1(width, o.planes() * EXPANSION, 1));
            registerModule("bn3", new BatchNorm2d(o.planes() * EXPANSION));
            registerModule("relu", new ReLU());
            if (downsample != null) {
                registerModule("downsample", downsample);
            }
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor out = child("conv1").call(x); // (N, width, H, W)
            out = bnRelu(this, "conv1", "bn1", out, x);
            out = step(this, "conv2", out, x); // (N, width, H/s, W/s)
            out = bnRelu(this, "conv2", "bn2", out, x);
            return convAddRelu(this, "conv3", "bn3", out, x); // (N, 4 planes, H/s, W/s)
        }
    }

    // ---------------------------------------------------------------- torchvision's models

    /** ResNet-18: BasicBlock, [2, 2, 2, 2]; 11.7M parameters at 1000 classes. */
    public static ResNet resnet18(int numClasses) {
        return new ResNet(model("resnet18", BlockType.BASIC, numClasses, 2, 2, 2, 2));
    }

    /** ResNet-34: BasicBlock, [3, 4, 6, 3]; 21.8M parameters. */
    public static ResNet resnet34(int numClasses) {
        return new ResNet(model("resnet34", BlockType.BASIC, numClasses, 3, 4, 6, 3));
    }

    /** ResNet-50: Bottleneck, [3, 4, 6, 3]; 25.6M parameters. */
    public static ResNet resnet50(int numClasses) {
        return new ResNet(model("resnet50", BlockType.BOTTLENECK, numClasses, 3, 4, 6, 3));
    }

    /** ResNet-101: Bottleneck, [3, 4, 23, 3]; 44.5M parameters. */
    public static ResNet resnet101(int numClasses) {
        return new ResNet(model("resnet101", BlockType.BOTTLENECK, numClasses, 3, 4, 23, 3));
    }

    /** ResNet-152: Bottleneck, [3, 8, 36, 3]; 60.2M parameters. */
    public static ResNet resnet152(int numClasses) {
        return new ResNet(model("resnet152", BlockType.BOTTLENECK, numClasses, 3, 8, 36, 3));
    }

    /** torchvision's {@code resnext50_32x4d}: ResNet-50 with 32 groups of width 4; 25.0M parameters. */
    public static ResNet resnext50_32x4d(int numClasses) {
        return new ResNet(model("resnext50_32x4d", BlockType.BOTTLENECK, numClasses, 3, 4, 6, 3)
                .withGroups(32)
                .withWidthPerGroup(4));
    }

    /** torchvision's {@code resnext101_32x8d}: ResNet-101 with 32 groups of width 8; 88.8M parameters. */
    public static ResNet resnext101_32x8d(int numClasses) {
        return new ResNet(model("resnext101_32x8d", BlockType.BOTTLENECK, numClasses, 3, 4, 23, 3)
                .withGroups(32)
                .withWidthPerGroup(8));
    }

    /** torchvision's {@code resnext101_64x4d}: ResNet-101 with 64 groups of width 4; 83.5M parameters. */
    public static ResNet resnext101_64x4d(int numClasses) {
        return new ResNet(model("resnext101_64x4d", BlockType.BOTTLENECK, numClasses, 3, 4, 23, 3)
                .withGroups(64)
                .withWidthPerGroup(4));
    }

    /** torchvision's {@code wide_resnet50_2}: ResNet-50 with bottlenecks twice as wide; 68.9M parameters. */
    public static ResNet wideResnet50_2(int numClasses) {
        return new ResNet(model("wide_resnet50_2", BlockType.BOTTLENECK, numClasses, 3, 4, 6, 3)
                .withWidthPerGroup(64 * 2));
    }

    /** torchvision's {@code wide_resnet101_2}: ResNet-101 with bottlenecks twice as wide; 126.9M parameters. */
    public static ResNet wideResnet101_2(int numClasses) {
        return new ResNet(model("wide_resnet101_2", BlockType.BOTTLENECK, numClasses, 3, 4, 23, 3)
                .withWidthPerGroup(64 * 2));
    }

    private static Options model(String name, BlockType block, int numClasses, int... layers) {
        return Options.of(block, layers).withName(name).withNumClasses(numClasses);
    }

    private static Map<String, IntFunction<Module>> models() {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("resnet18", ResNet::resnet18);
        m.put("resnet34", ResNet::resnet34);
        m.put("resnet50", ResNet::resnet50);
        m.put("resnet101", ResNet::resnet101);
        m.put("resnet152", ResNet::resnet152);
        m.put("resnext50_32x4d", ResNet::resnext50_32x4d);
        m.put("resnext101_32x8d", ResNet::resnext101_32x8d);
        m.put("resnext101_64x4d", ResNet::resnext101_64x4d);
        m.put("wide_resnet50_2", ResNet::wideResnet50_2);
        m.put("wide_resnet101_2", ResNet::wideResnet101_2);
        return Collections.unmodifiableMap(m);
    }
}
