package dev.torchlet.vision.models;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Conv2dOptions;
import dev.torchlet.nn.Dropout;
import dev.torchlet.nn.GELU;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.LayerNorm;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.MultiheadAttention;
import dev.torchlet.nn.MultiheadAttentionOptions;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.Tanh;
import dev.torchlet.nn.functional.F;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Vision Transformer (Dosovitskiy et al., 2020), as torchvision's {@code VisionTransformer}
 * (vision_transformer.py): same module names, state-dict keys and order, and default initialization.
 *
 * <pre>
 *   x (N, 3, S, S), S = imageSize
 *   conv_proj       Conv2d(3, D, k=P, s=P)              (N, D, S/P, S/P): one D-vector per P x P patch
 *   reshape, permute                                     (N, L, D), L = (S/P)^2
 *   class_token     parameter (1, 1, D), prepended       (N, L + 1, D)
 *   encoder         + pos_embedding (1, L + 1, D), dropout,
 *                   layers.encoder_layer_0 .. _{n-1}:     pre-norm blocks, (N, L + 1, D) each
 *                       x = x + dropout(self_attention(ln_1(x)))   MultiheadAttention (batch first)
 *                       x = x + mlp(ln_2(x))     mlp: 0 Linear(D, M), 1 GELU, 2 Dropout, 3 Linear(M, D), 4 Dropout
 *                   ln                                   LayerNorm(D, eps 1e-6)
 *   token 0 (the class token)                            (N, D)
 *   heads           head: Linear(D, numClasses)          (N, numClasses)
 *                   (with a representation size R: pre_logits Linear(D, R), act Tanh, head Linear(R, numClasses))
 * </pre>
 *
 * <p>State dict: {@code class_token}, {@code conv_proj.*}, {@code encoder.pos_embedding},
 * {@code encoder.layers.encoder_layer_i.{ln_1, self_attention.{in_proj_weight, in_proj_bias, out_proj},
 * ln_2, mlp.0, mlp.3}}, {@code encoder.ln.*}, {@code heads.head.*} (a module's own parameters come
 * before its children's, as in PyTorch). The class token and the position embedding are the model's and
 * the encoder's own parameters, as in torchvision, applied with the functional ops of the standalone
 * layers {@link dev.torchlet.nn.ClassToken} ({@code F.prependClassToken}) and
 * {@link dev.torchlet.nn.PositionEmbedding} ({@code F.addPositionEmbedding}).
 *
 * <p>Initialization (torchvision's): conv_proj weight truncated normal with std sqrt(1 / fan_in)
 * (cut at +-2), bias 0; class_token 0; pos_embedding N(0, 0.02^2); attention in-projection Xavier
 * uniform with bias 0, out-projection PyTorch's Linear default with bias 0; MLP Linear weights Xavier
 * uniform, biases N(0, 1e-6^2); LayerNorms 1 and 0; pre_logits truncated normal std sqrt(1 / fan_in),
 * bias 0; head weight and bias 0. torchvision's convolutional-stem variant ({@code conv_stem_configs})
 * is not built here.
 *
 * <p>The input must be {@code imageSize x imageSize} (the position embedding has one entry per patch).
 */
public final class VisionTransformer extends Module {
    /** torchvision's ViT models by function name (numClasses -> model), at image size 224. */
    public static final Map<String, IntFunction<Module>> MODELS = models();

    private final String name;
    private final Options options;

    /**
     * The settings of torchvision's {@code VisionTransformer(image_size, patch_size, num_layers,
     * num_heads, hidden_dim, mlp_dim, dropout, attention_dropout, num_classes, representation_size)}.
     *
     * @param imageSize          input height and width S; a multiple of patchSize
     * @param patchSize          patch height and width P (conv_proj's kernel and stride)
     * @param numLayers          encoder blocks
     * @param numHeads           attention heads; divides hiddenDim
     * @param hiddenDim          token width D
     * @param mlpDim             hidden width M of each block's MLP
     * @param dropout            dropout after the position embedding, attention and in the MLP; default 0
     * @param attentionDropout   dropout on the attention weights; default 0
     * @param numClasses         outputs of the head; default 1000
     * @param representationSize width R of an extra pre_logits Linear + Tanh before the head, 0 for none
     *                           (torchvision's None, the default)
     */
    public record Options(
            int imageSize,
            int patchSize,
            int numLayers,
            int numHeads,
            int hiddenDim,
            int mlpDim,
            double dropout,
            double attentionDropout,
            int numClasses,
            int representationSize) {
        public Options {
            if (imageSize < 1 || patchSize < 1 || numLayers < 1 || numHeads < 1 || hiddenDim < 1 || mlpDim < 1) {
                throw new IllegalArgumentException("VisionTransformer: imageSize, patchSize, numLayers, numHeads, "
                        + "hiddenDim and mlpDim must be positive, got " + imageSize + ", " + patchSize + ", "
                        + numLayers + ", " + numHeads + ", " + hiddenDim + ", " + mlpDim);
            }
            if (imageSize % patchSize != 0) {
                throw new IllegalArgumentException(
                        "VisionTransformer: imageSize " + imageSize + " is not divisible by patchSize " + patchSize);
            }
            if (hiddenDim % numHeads != 0) {
                throw new IllegalArgumentException(
                        "VisionTransformer: hiddenDim " + hiddenDim + " is not divisible by numHeads " + numHeads);
            }
            if (!(dropout >= 0 && dropout < 1) || !(attentionDropout >= 0 && attentionDropout < 1)) {
                throw new IllegalArgumentException("VisionTransformer: dropout and attentionDropout must be in [0, 1), "
                        + "got " + dropout + " and " + attentionDropout);
            }
            if (numClasses < 1 || representationSize < 0) {
                throw new IllegalArgumentException("VisionTransformer: numClasses must be at least 1 and "
                        + "representationSize at least 0 (0: none), got " + numClasses + " and " + representationSize);
            }
        }

        /** torchvision's defaults for the rest: no dropout, 1000 classes, no representation layer. */
        public static Options of(int imageSize, int patchSize, int numLayers, int numHeads, int hiddenDim, int mlpDim) {
            return new Options(imageSize, patchSize, numLayers, numHeads, hiddenDim, mlpDim, 0.0, 0.0, 1000, 0);
        }

        public Options withImageSize(int s) {
            return new Options(
                    s,
                    patchSize,
                    numLayers,
                    numHeads,
                    hiddenDim,
                    mlpDim,
                    dropout,
                    attentionDropout,
                    numClasses,
                    representationSize);
        }

        public Options withDropout(double p) {
            return new Options(
                    imageSize,
                    patchSize,
                    numLayers,
                    numHeads,
                    hiddenDim,
                    mlpDim,
                    p,
                    attentionDropout,
                    numClasses,
                    representationSize);
        }

        public Options withAttentionDropout(double p) {
            return new Options(
                    imageSize,
                    patchSize,
                    numLayers,
                    numHeads,
                    hiddenDim,
                    mlpDim,
                    dropout,
                    p,
                    numClasses,
                    representationSize);
        }

        public Options withNumClasses(int n) {
            return new Options(
                    imageSize,
                    patchSize,
                    numLayers,
                    numHeads,
                    hiddenDim,
                    mlpDim,
                    dropout,
                    attentionDropout,
                    n,
                    representationSize);
        }

        public Options withRepresentationSize(int r) {
            return new Options(
                    imageSize,
                    patchSize,
                    numLayers,
                    numHeads,
                    hiddenDim,
                    mlpDim,
                    dropout,
                    attentionDropout,
                    numClasses,
                    r);
        }

        /** Patches per image, L = (S / P)^2; the encoder's sequence has L + 1 tokens. */
        public int numPatches() {
            int side = imageSize / patchSize;
            return side * side;
        }
    }

    /** A model with torchvision's default initialization (error messages name it "VisionTransformer"). */
    public VisionTransformer(Options options) {
        this("VisionTransformer", options);
    }

    /** @param name the model's name in error messages, e.g. "vit_b_16" */
    public VisionTransformer(String name, Options options) {
        this.name = name;
        this.options = options;
        int d = options.hiddenDim();
        int p = options.patchSize();
        Conv2d convProj =
                registerModule("conv_proj", new Conv2d(Conv2dOptions.of(3, d, p).withStride(p)));
        registerParameter("class_token", Torch.zeros(1, 1, d));
        registerModule("encoder", new Encoder(options));
        NamedSequential heads = registerModule("heads", new NamedSequential());
        int headIn = d;
        if (options.representationSize() > 0) {
            Linear preLogits = heads.put("pre_logits", new Linear(d, options.representationSize()));
            heads.put("act", new Tanh());
            Init.truncNormal(preLogits.weight(), 0, Math.sqrt(1.0 / d), -2, 2);
            Init.zeros(preLogits.bias());
            headIn = options.representationSize();
        }
        Linear head = heads.put("head", new Linear(headIn, options.numClasses()));

        // torchvision: trunc_normal_(conv_proj.weight, std=sqrt(1 / fan_in)) (a=-2, b=2 absolute), zero bias
        int fanIn = 3 * p * p;
        Init.truncNormal(convProj.weight(), 0, Math.sqrt(1.0 / fanIn), -2, 2);
        Init.zeros(convProj.bias());
        Init.zeros(head.weight());
        Init.zeros(head.bias());
    }

    public Options options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        int s = options.imageSize();
        if (x.dim() != 4 || x.size(2) != s || x.size(3) != s) {
            throw new IllegalArgumentException(name + ": expected input (N, C, " + s + ", " + s + "), got "
                    + Shape.str(x.shape()) + " (the image size is fixed by the position embedding)");
        }
        if (child("conv_proj") instanceof Conv2d conv
                && x.size(1) != conv.options().inChannels()) {
            throw new IllegalArgumentException(name + ": conv_proj expects "
                    + conv.options().inChannels() + " input channels, got input " + Shape.str(x.shape()));
        }
        int n = x.size(0);
        int d = options.hiddenDim();
        Tensor patches = child("conv_proj").call(x); // (N, D, S/P, S/P)
        patches = patches.reshape(n, d, options.numPatches()).permute(0, 2, 1); // (N, L, D)
        Tensor tokens = F.prependClassToken(patches, parameter("class_token")); // (N, L + 1, D)
        tokens = child("encoder").call(tokens); // (N, L + 1, D)
        return child("heads").call(tokens.select(1, 0)); // class token (N, D) -> (N, numClasses)
    }

    @Override
    protected String extraRepr() {
        return name + ": image_size=" + options.imageSize() + ", patch_size=" + options.patchSize();
    }

    // ---------------------------------------------------------------- torchvision's models

    private static Map<String, IntFunction<Module>> models() {
        Map<String, IntFunction<Module>> m = new LinkedHashMap<>();
        m.put("vit_b_16", VisionTransformer::vitB16);
        m.put("vit_b_32", VisionTransformer::vitB32);
        return Collections.unmodifiableMap(m);
    }

    /** ViT-B/16: patch 16, 12 layers, 12 heads, width 768, MLP 3072 (86.6M parameters at 1000 classes). */
    public static VisionTransformer vitB16(int numClasses) {
        return new VisionTransformer(
                "vit_b_16", Options.of(224, 16, 12, 12, 768, 3072).withNumClasses(numClasses));
    }

    /** ViT-B/32: patch 32, 12 layers, 12 heads, width 768, MLP 3072 (88.2M parameters at 1000 classes). */
    public static VisionTransformer vitB32(int numClasses) {
        return new VisionTransformer(
                "vit_b_32", Options.of(224, 32, 12, 12, 768, 3072).withNumClasses(numClasses));
    }

    // ---------------------------------------------------------------- blocks

    /**
     * torchvision's {@code Encoder}: adds the position embedding, runs the blocks, normalizes.
     * State: {@code pos_embedding} (1, L + 1, D), {@code layers.encoder_layer_i.*}, {@code ln.*}.
     */
    public static final class Encoder extends Module {
        Encoder(Options o) {
            Tensor pos = registerParameter("pos_embedding", Torch.zeros(1, o.numPatches() + 1, o.hiddenDim()));
            Init.normal(pos, 0, 0.02); // from BERT
            registerModule("dropout", new Dropout(o.dropout()));
            NamedSequential layers = registerModule("layers", new NamedSequential());
            for (int i = 0; i < o.numLayers(); i++) {
                layers.put("encoder_layer_" + i, new EncoderBlock(o));
            }
            registerModule("ln", layerNorm(o.hiddenDim()));
        }

        @Override
        public Tensor forward(Tensor x) { // (N, L + 1, D)
            Tensor h = child("dropout").call(F.addPositionEmbedding(x, parameter("pos_embedding")));
            return child("ln").call(child("layers").call(h));
        }
    }

    /**
     * torchvision's {@code EncoderBlock}, pre-norm: {@code x = x + dropout(self_attention(ln_1(x)))},
     * then {@code x + mlp(ln_2(x))}. Children: ln_1, self_attention, dropout, ln_2, mlp.
     */
    public static final class EncoderBlock extends Module {
        EncoderBlock(Options o) {
            registerModule("ln_1", layerNorm(o.hiddenDim()));
            registerModule(
                    "self_attention",
                    new MultiheadAttention(MultiheadAttentionOptions.of(o.hiddenDim(), o.numHeads())
                            .withDropout(o.attentionDropout())
                            .withBatchFirst(true)),
                    MultiheadAttention.class);
            registerModule("dropout", new Dropout(o.dropout()));
            registerModule("ln_2", layerNorm(o.hiddenDim()));
            registerModule("mlp", new MLPBlock(o.hiddenDim(), o.mlpDim(), o.dropout()));
        }

        @Override
        public Tensor forward(Tensor input) { // (N, T, D)
            if (input.dim() != 3) {
                throw new IllegalArgumentException(
                        "EncoderBlock: expected (batch_size, seq_length, hidden_dim), got " + Shape.str(input.shape()));
            }
            Tensor x = child("ln_1").call(input);
            x = child("self_attention", MultiheadAttention.class)
                    .call(x, x, x, null, null, false)
                    .output();
            x = child("dropout").call(x).add(input);
            Tensor y = child("mlp").call(child("ln_2").call(x));
            return x.add(y);
        }
    }

    /**
     * torchvision's {@code MLPBlock} (an {@code MLP}, i.e. a Sequential): 0 Linear(D, M), 1 GELU,
     * 2 Dropout, 3 Linear(M, D), 4 Dropout; Linear weights Xavier uniform, biases N(0, 1e-6^2).
     */
    public static final class MLPBlock extends Sequential {
        MLPBlock(int inDim, int mlpDim, double dropout) {
            super(
                    new Linear(inDim, mlpDim),
                    new GELU(),
                    new Dropout(dropout),
                    new Linear(mlpDim, inDim),
                    new Dropout(dropout));
            for (int i : new int[] {0, 3}) {
                Linear fc = (Linear) get(i);
                Init.xavierUniform(fc.weight(), 1.0);
                Init.normal(fc.bias(), 0, 1e-6);
            }
        }
    }

    /** A Sequential built from an OrderedDict: children run in order under the given names. */
    static final class NamedSequential extends Sequential {
        <M extends Module> M put(String childName, M module) {
            registerModule(childName, module);
            return module;
        }

        /** Printed as PyTorch prints it: "Sequential(...)". */
        @Override
        public String toString() {
            return "Sequential"
                    + super.toString().substring(getClass().getSimpleName().length());
        }
    }

    private static LayerNorm layerNorm(int d) {
        return new LayerNorm(new int[] {d}, 1e-6, true);
    }
}
