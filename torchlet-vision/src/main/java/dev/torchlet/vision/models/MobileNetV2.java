package dev.torchlet.vision.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.BatchNormOptions;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.ConvActivation2d;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.Identity;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.ReLU6;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.functional.F;
import dev.torchlet.ops.Convolution;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * MobileNetV2 (Sandler et al., 2018), as torchvision.models.mobilenet_v2: inverted residual blocks
 * (1x1 expansion, 3x3 depthwise, linear 1x1 projection) with ReLU6. For a 224x224 input:
 * <pre>
 *   features.0       Conv2dNormActivation 3 -&gt; 32, 3x3 stride 2, ReLU6      (N, 32, 112, 112)
 *   features.1..17   InvertedResidual, settings (t, c, n, s):                (N, 320, 7, 7)
 *                    (1, 16, 1, 1) (6, 24, 2, 2) (6, 32, 3, 2) (6, 64, 4, 2)
 *                    (6, 96, 3, 1) (6, 160, 3, 2) (6, 320, 1, 1)
 *   features.18      Conv2dNormActivation 320 -&gt; 1280, 1x1, ReLU6          (N, 1280, 7, 7)
 *   adaptive_avg_pool2d(1) + flatten (functional, no module)               (N, 1280)
 *   classifier       Sequential(0 Dropout(0.2), 1 Linear(1280, numClasses))
 * </pre>
 * A Conv2dNormActivation is a Sequential of "0" Conv2d (no bias), "1" BatchNorm2d, "2" ReLU6; block
 * names follow torchvision ({@code features.2.conv.0.0.weight}, {@code features.2.conv.3.running_mean}).
 * Init as torchvision: convs kaiming normal (fan_out), BatchNorm 1/0, Linear N(0, 0.01) with zero bias.
 */
public final class MobileNetV2 extends Module {
    /** The zoo's MobileNetV2 models by torchvision's name. */
    public static final Map<String, IntFunction<Module>> MODELS;

    static {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("mobilenet_v2", MobileNetV2::mobilenetV2);
        MODELS = Collections.unmodifiableMap(m);
    }

    /** torchvision's inverted_residual_setting: expansion t, output channels c, repeats n, first stride s. */
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}
    };

    /** torchvision.models.mobilenet_v2(num_classes=numClasses): width 1.0, dropout 0.2. */
    public static MobileNetV2 mobilenetV2(int numClasses) {
        return new MobileNetV2(numClasses, 1.0, 0.2);
    }

    /**
     * @param numClasses outputs of the classifier, &gt;= 1
     * @param widthMult  channel multiplier (torchvision's width_mult, channels rounded to multiples of 8)
     * @param dropout    dropout probability before the last Linear
     */
    public MobileNetV2(int numClasses, double widthMult, double dropout) {
        if (numClasses < 1 || !(widthMult > 0)) {
            throw new IllegalArgumentException(
                    "MobileNetV2: numClasses must be >= 1 and widthMult > 0, got " + numClasses + " and " + widthMult);
        }
        BatchNormOptions bn = BatchNormOptions.of(1);
        int inputChannel = MobileNetBlocks.makeDivisible(32 * widthMult, 8);
        int lastChannel = MobileNetBlocks.makeDivisible(1280 * Math.max(1.0, widthMult), 8);
        List<Module> features = new ArrayList<>();
        features.add(MobileNetBlocks.convNormActivation(3, inputChannel, 3, 2, 1, bn, ReLU6::new));
        for (int[] s : SETTING) {
            int outputChannel = MobileNetBlocks.makeDivisible(s[1] * widthMult, 8);
            for (int i = 0; i < s[2]; i++) {
                features.add(new InvertedResidual(inputChannel, outputChannel, i == 0 ? s[3] : 1, s[0]));
                inputChannel = outputChannel;
            }
        }
        features.add(MobileNetBlocks.convNormActivation(inputChannel, lastChannel, 1, 1, 1, bn, ReLU6::new));
        registerModule("features", new Sequential(features.toArray(Module[]::new)));
        registerModule("classifier", new Sequential(new Dropout(dropout), new Linear(lastChannel, numClasses)));
        MobileNetBlocks.initWeights(this, l -> {
            Init.normal(l.weight(), 0, 0.01);
            Init.zeros(l.bias());
        });
    }

    @Override
    public Tensor forward(Tensor x) {
        MobileNetBlocks.checkInput("mobilenet_v2", this, "features.0.0", x);
        Tensor features = child("features").call(x); // (N, 1280, H/32, W/32)
        Tensor y = F.adaptiveAvgPool2d(features, 1, 1).flatten(1); // (N, 1280)
        releaseIntermediate(this, features, x, y); // inference mode: recycled for the next call
        return child("classifier").call(y); // (N, numClasses)
    }

    /**
     * torchvision's mobilenetv2.InvertedResidual: child "conv", a Sequential of [0 Conv2dNormActivation
     * 1x1 expansion to round(inp * t) channels with ReLU6, when t != 1], Conv2dNormActivation 3x3
     * depthwise (stride s, groups = hidden) with ReLU6, Conv2d 1x1 projection (no bias), BatchNorm2d.
     * Adds the input back when stride is 1 and inp == oup.
     */
    public static final class InvertedResidual extends Module {
        private final boolean useResConnect;

        public InvertedResidual(int inp, int oup, int stride, int expandRatio) {
            if (stride != 1 && stride != 2) {
                throw new IllegalArgumentException("InvertedResidual: stride should be 1 or 2, got " + stride);
            }
            BatchNormOptions bn = BatchNormOptions.of(1);
            int hidden = (int) Math.rint(inp * (double) expandRatio);
            useResConnect = stride == 1 && inp == oup;
            Sequential conv = new Sequential();
            if (expandRatio != 1) {
                conv.add(MobileNetBlocks.convNormActivation(inp, hidden, 1, 1, 1, bn, ReLU6::new)); // pw
            }
            conv.add(MobileNetBlocks.convNormActivation(hidden, hidden, 3, stride, hidden, bn, ReLU6::new)); // dw
            conv.add(new Conv2d(Conv2dOptions.of(hidden, oup, 1).withBias(false))); // pw-linear
            conv.add(new BatchNorm2d(bn.withNumFeatures(oup)));
            registerModule("conv", conv);
        }

        /** Whether the block adds its input to its output (stride 1, same channels). */
        public boolean usesResidual() {
            return useResConnect;
        }

        /**
         * conv(x), plus x when the block has a shortcut. In inference after
         * {@link dev.torchlet.nn.Fusion#fuseForInference} (batch norms folded, activations fused into their
         * convolutions) and with no hooks on the layers involved, the three convolutions run as one
         * ({@link Convolution#invertedResidual}: on a channels-last batch one pass over strips of rows, whose
         * expanded and depthwise rows never leave the core's cache; else the expansion and depthwise convolutions
         * as {@link Convolution#pointwiseDepthwise} and the projection adding x as it stores its output, see ResNet's
         * block endings). A hook anywhere runs the layers as modules.
         */
        @Override
        public Tensor forward(Tensor x) {
            Module conv = child("conv");
            List<Module> layers = conv.children();
            int n = layers.size();
            if (conv.getClass() != Sequential.class || conv.hasForwardHooks() || n < 2) {
                Tensor y = conv.call(x);
                return useResConnect ? x.add(y) : y;
            }
            Tensor h = x;
            int next = 0;
            ConvActivation2d expansion = n == 4 ? fusedLayer(layers.get(0)) : null;
            ConvActivation2d depthwise = n >= 3 ? fusedLayer(layers.get(n - 3)) : null;
            int hiddenChannels = expansion != null ? expansion.options().outChannels() : -1;
            if (n == 3 && depthwise != null) {
                hiddenChannels = depthwise.options().inChannels();
            }
            Conv2d linear = plainProjection(layers.get(n - 2), layers.get(n - 1));
            if ((n == 3 || isExpansion(expansion)) && isDepthwise3x3(depthwise, hiddenChannels) && linear != null) {
                return Convolution.invertedResidual(
                        x,
                        expansion == null ? null : expansion.weight(),
                        expansion == null ? null : expansion.bias(),
                        expansion == null ? Float.NEGATIVE_INFINITY : expansion.lo(),
                        expansion == null ? Float.POSITIVE_INFINITY : expansion.hi(),
                        depthwise.weight(),
                        depthwise.bias(),
                        depthwise.options().stride()[0],
                        depthwise.lo(),
                        depthwise.hi(),
                        linear.weight(),
                        linear.bias(),
                        useResConnect);
            }
            if (isExpansion(expansion) && isDepthwise3x3(depthwise, hiddenChannels)) {
                h = Convolution.pointwiseDepthwise(
                        x,
                        expansion.weight(),
                        expansion.bias(),
                        expansion.lo(),
                        expansion.hi(),
                        depthwise.weight(),
                        depthwise.bias(),
                        depthwise.options().stride()[0],
                        depthwise.lo(),
                        depthwise.hi());
                next = 2;
            }
            for (; next < n - 2; next++) {
                Tensor in = h;
                h = layers.get(next).call(in);
                if (in != x) {
                    releaseIntermediate(this, in, x, h);
                }
            }
            Module projection = layers.get(n - 2);
            Module norm = layers.get(n - 1);
            if (useResConnect
                    && projection instanceof Conv2d fusable
                    && !projection.hasForwardHooks()
                    && norm instanceof Identity
                    && !norm.hasForwardHooks()) {
                Tensor y = fusable.forwardAddClamped(h, x, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
                releaseIntermediate(this, h, x, y); // inference mode: the depthwise output is read no more
                return y;
            }
            Tensor hidden = h;
            h = norm.call(projection.call(h));
            if (hidden != x) {
                releaseIntermediate(this, hidden, x, h);
            }
            return useResConnect ? x.add(h) : h;
        }

        /**
         * The convolution of a Conv2dNormActivation after fuseForInference (a Sequential of a ConvActivation2d and
         * Identities, none hooked), or null.
         */
        private static ConvActivation2d fusedLayer(Module m) {
            if (m.getClass() != Sequential.class || m.hasForwardHooks()) {
                return null;
            }
            List<Module> parts = m.children();
            if (parts.isEmpty()
                    || parts.get(0).getClass() != ConvActivation2d.class
                    || parts.get(0).hasForwardHooks()) {
                return null;
            }
            for (Module rest : parts.subList(1, parts.size())) {
                if (!(rest instanceof Identity) || rest.hasForwardHooks()) {
                    return null;
                }
            }
            return (ConvActivation2d) parts.get(0);
        }

        private static boolean isExpansion(ConvActivation2d c) {
            if (c == null) {
                return false;
            }
            Conv2dOptions o = c.options();
            return Arrays.equals(o.kernelSize(), new int[] {1, 1})
                    && Arrays.equals(o.stride(), new int[] {1, 1})
                    && Arrays.equals(o.padding(), new int[] {0, 0})
                    && Arrays.equals(o.dilation(), new int[] {1, 1})
                    && o.groups() == 1;
        }

        /**
         * The projection as a plain 1x1 Conv2d followed by an Identity (its batch norm folded), neither hooked, or
         * null.
         */
        private static Conv2d plainProjection(Module projection, Module norm) {
            if (projection.getClass() != Conv2d.class
                    || projection.hasForwardHooks()
                    || !(norm instanceof Identity)
                    || norm.hasForwardHooks()) {
                return null;
            }
            Conv2d conv = (Conv2d) projection;
            Conv2dOptions o = conv.options();
            boolean pointwise = Arrays.equals(o.kernelSize(), new int[] {1, 1})
                    && Arrays.equals(o.stride(), new int[] {1, 1})
                    && Arrays.equals(o.padding(), new int[] {0, 0})
                    && Arrays.equals(o.dilation(), new int[] {1, 1})
                    && o.groups() == 1;
            return pointwise ? conv : null;
        }

        /** A 3x3 depthwise convolution of hidden channels, padding 1, stride 1 or 2. */
        private static boolean isDepthwise3x3(ConvActivation2d c, int hidden) {
            if (c == null) {
                return false;
            }
            Conv2dOptions o = c.options();
            int s = o.stride()[0];
            return Arrays.equals(o.kernelSize(), new int[] {3, 3})
                    && Arrays.equals(o.stride(), new int[] {s, s})
                    && (s == 1 || s == 2)
                    && Arrays.equals(o.padding(), new int[] {1, 1})
                    && Arrays.equals(o.dilation(), new int[] {1, 1})
                    && o.groups() == hidden
                    && o.inChannels() == hidden
                    && o.outChannels() == hidden;
        }
    }
}
