package dev.torchlet.vision.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.AdaptiveAvgPool2d;
import dev.torchlet.nn.BatchNorm2d;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Dropout;
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
import java.util.function.IntFunction;

/**
 * VGG as torchvision.models.vgg builds it (Simonyan and Zisserman 2014), with or without batch norm.
 * Same module names, state-dict keys and order, and default initialization as torchvision.
 *
 * <pre>
 *   features    Sequential from a configuration: per number v, Conv2d(in, v, 3, padding 1)
 *               [, BatchNorm2d(v)], ReLU; per "M", MaxPool2d(2, 2)   (N, 3, H, W) -> (N, 512, H/32, W/32)
 *   avgpool     AdaptiveAvgPool2d(7), flatten                       -> (N, 25088)
 *   classifier  0 Linear(25088, 4096), 1 ReLU, 2 Dropout(0.5),
 *               3 Linear(4096, 4096),  4 ReLU, 5 Dropout(0.5),
 *               6 Linear(4096, numClasses)                          -> (N, numClasses)
 * </pre>
 * Configurations (torchvision's cfgs): A = vgg11, B = vgg13, D = vgg16, E = vgg19. Keys come out as
 * {@code features.0.weight}, {@code features.1.running_mean} (with batch norm), {@code classifier.6.bias}.
 * Inputs must be at least 32x32 (five 2x2 max pools).
 *
 * <p>Initialization (torchvision's {@code init_weights=True}): Conv2d weight kaiming-normal (fan out,
 * relu gain), bias 0; BatchNorm2d weight 1, bias 0; Linear weight N(0, 0.01^2), bias 0.
 *
 * <p>Typed factories: {@link #vgg11}, {@link #vgg11Bn} ({@code vgg11_bn}), {@link #vgg13},
 * {@link #vgg13Bn}, {@link #vgg16}, {@link #vgg16Bn}, {@link #vgg19}, {@link #vgg19Bn}; {@link #MODELS}
 * maps torchvision's names to them. Note the classifier's first Linear alone has 102.8M parameters.
 */
public class VGG extends Module {
    /** torchvision's VGG models: name -> numClasses -> model, in torchvision's order. */
    public static final Map<String, IntFunction<Module>> MODELS = models();

    /** A max pool in a configuration (torchvision's "M"). */
    public static final int M = 0;

    /** torchvision's cfgs: channels of each 3x3 convolution, {@link #M} for a 2x2 max pool. */
    public static final Map<String, List<Integer>> CFGS = Map.of(
            "A",
            List.of(64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M),
            "B",
            List.of(64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M),
            "D",
            List.of(64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M),
            "E",
            List.of(64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M));

    private static final int MIN_SIZE = 32;

    private final Options options;

    /**
     * torchvision's VGG arguments besides the features.
     *
     * @param name        the model's name in messages (torchvision's function name)
     * @param numClasses  outputs of the classifier, &gt;= 1 (default 1000)
     * @param initWeights apply torchvision's initialization (default true); false keeps PyTorch's layer
     *                    defaults (torchvision does that before loading pretrained weights)
     * @param dropout     dropout probability of the classifier, in [0, 1] (default 0.5)
     */
    public record Options(String name, int numClasses, boolean initWeights, double dropout) {
        public Options {
            if (numClasses < 1) {
                throw new IllegalArgumentException("VGG: numClasses must be >= 1, got " + numClasses);
            }
            if (!(dropout >= 0 && dropout <= 1)) {
                throw new IllegalArgumentException("VGG: dropout must be in [0, 1], got " + dropout);
            }
            name = name == null ? "vgg" : name;
        }

        /** 1000 classes, torchvision's init, dropout 0.5. */
        public static Options of(String name) {
            return new Options(name, 1000, true, 0.5);
        }

        public Options withNumClasses(int c) {
            return new Options(name, c, initWeights, dropout);
        }

        public Options withInitWeights(boolean init) {
            return new Options(name, numClasses, init, dropout);
        }

        public Options withDropout(double p) {
            return new Options(name, numClasses, initWeights, p);
        }
    }

    /** @param features the convolutional part, e.g. {@link #makeLayers}; must output 512 channels */
    public VGG(Module features, Options options) {
        this.options = options;
        registerModule("features", features);
        registerModule("avgpool", new AdaptiveAvgPool2d(7));
        registerModule(
                "classifier",
                new Sequential(
                        new Linear(512 * 7 * 7, 4096),
                        new ReLU(),
                        new Dropout(options.dropout()),
                        new Linear(4096, 4096),
                        new ReLU(),
                        new Dropout(options.dropout()),
                        new Linear(4096, options.numClasses())));
        if (options.initWeights()) {
            for (Module m : modules()) {
                if (m instanceof Conv2d conv) {
                    Init.kaimingNormal(conv.weight(), 0, Init.FanMode.FAN_OUT, "relu");
                    if (conv.bias() != null) {
                        Init.zeros(conv.bias());
                    }
                } else if (m instanceof BatchNorm2d bn) {
                    Init.ones(bn.weight());
                    Init.zeros(bn.bias());
                } else if (m instanceof Linear linear) {
                    Init.normal(linear.weight(), 0, 0.01);
                    Init.zeros(linear.bias());
                }
            }
        }
    }

    /**
     * torchvision's make_layers: for each entry v of cfg, Conv2d(in, v, 3, padding 1) [+ BatchNorm2d(v)]
     * + ReLU, or MaxPool2d(2, 2) for {@link #M}; children "0", "1", ... in that order.
     */
    public static Sequential makeLayers(List<Integer> cfg, boolean batchNorm) {
        Sequential layers = new Sequential();
        int in = 3;
        for (int v : cfg) {
            if (v == M) {
                layers.add(new MaxPool2d(2, 2));
            } else {
                layers.add(new Conv2d(in, v, 3, 1, 1));
                if (batchNorm) {
                    layers.add(new BatchNorm2d(v));
                }
                layers.add(new ReLU());
                in = v;
            }
        }
        return layers;
    }

    /** The settings this model was built with. */
    public Options options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        Module features = child("features");
        Module first = features instanceof Sequential s && s.size() > 0 ? s.get(0) : null;
        ImageInputCheck.check(options.name(), "features.0", first, MIN_SIZE, x); // (N, 3, H, W)
        x = features.call(x); // (N, 512, H/32, W/32)
        x = child("avgpool").call(x); // (N, 512, 7, 7)
        x = x.flatten(1); // (N, 25088)
        return child("classifier").call(x); // (N, numClasses)
    }

    // ---------------------------------------------------------------- torchvision's models

    /** VGG-11 (configuration A); 132.9M parameters at 1000 classes. */
    public static VGG vgg11(int numClasses) {
        return build("vgg11", "A", false, numClasses);
    }

    /** torchvision's {@code vgg11_bn}: VGG-11 with batch norm. */
    public static VGG vgg11Bn(int numClasses) {
        return build("vgg11_bn", "A", true, numClasses);
    }

    /** VGG-13 (configuration B); 133.0M parameters. */
    public static VGG vgg13(int numClasses) {
        return build("vgg13", "B", false, numClasses);
    }

    /** torchvision's {@code vgg13_bn}. */
    public static VGG vgg13Bn(int numClasses) {
        return build("vgg13_bn", "B", true, numClasses);
    }

    /** VGG-16 (configuration D); 138.4M parameters. */
    public static VGG vgg16(int numClasses) {
        return build("vgg16", "D", false, numClasses);
    }

    /** torchvision's {@code vgg16_bn}. */
    public static VGG vgg16Bn(int numClasses) {
        return build("vgg16_bn", "D", true, numClasses);
    }

    /** VGG-19 (configuration E); 143.7M parameters. */
    public static VGG vgg19(int numClasses) {
        return build("vgg19", "E", false, numClasses);
    }

    /** torchvision's {@code vgg19_bn}. */
    public static VGG vgg19Bn(int numClasses) {
        return build("vgg19_bn", "E", true, numClasses);
    }

    private static VGG build(String name, String cfg, boolean batchNorm, int numClasses) {
        return new VGG(makeLayers(CFGS.get(cfg), batchNorm), Options.of(name).withNumClasses(numClasses));
    }

    private static Map<String, IntFunction<Module>> models() {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("vgg11", VGG::vgg11);
        m.put("vgg11_bn", VGG::vgg11Bn);
        m.put("vgg13", VGG::vgg13);
        m.put("vgg13_bn", VGG::vgg13Bn);
        m.put("vgg16", VGG::vgg16);
        m.put("vgg16_bn", VGG::vgg16Bn);
        m.put("vgg19", VGG::vgg19);
        m.put("vgg19_bn", VGG::vgg19Bn);
        return Collections.unmodifiableMap(m);
    }
}
