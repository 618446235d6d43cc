package dev.torchlet.nn;

import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;

/**
 * The encoder-decoder Transformer of "Attention Is All You Need", as torch.nn.Transformer:
 * children {@code encoder} (a {@link TransformerEncoder} with a final LayerNorm {@code encoder.norm})
 * and {@code decoder} (a {@link TransformerDecoder} with {@code decoder.norm}), so state-dict keys
 * are PyTorch's ({@code encoder.layers.0.self_attn.in_proj_weight},
 * {@code decoder.layers.0.multihead_attn.out_proj.weight},
 * {@code encoder.norm.weight}, ...).
 * <pre>
 *   memory = encoder(src, srcMask, srcKeyPaddingMask)
 *   out    = decoder(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)
 * </pre>
 * Initialization as PyTorch's: the layers of each stack start as copies of one layer, then every
 * parameter with more than one dimension is re-drawn Xavier-uniform (biases and norms stay as copied).
 * Input and output are (T, B, E), or (B, T, E) with batchFirst; there is no embedding or output head.
 */
public class Transformer extends Module {
    private final TransformerOptions options;

    /** torch.nn.Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers) with PyTorch's other defaults. */
    public Transformer(int dModel, int nHead, int numEncoderLayers, int numDecoderLayers) {
        this(TransformerOptions.of(dModel, nHead, numEncoderLayers, numDecoderLayers));
    }

    public Transformer(TransformerOptions options) {
        this.options = options;
        int d = options.dModel();
        double eps = options.layerNormEps();
        registerModule(
                "encoder",
                new TransformerEncoder(
                        new TransformerEncoderLayer(options.encoderLayer()),
                        options.numEncoderLayers(),
                        new LayerNorm(new int[] {d}, eps, true)),
                TransformerEncoder.class);
        registerModule(
                "decoder",
                new TransformerDecoder(
                        new TransformerDecoderLayer(options.decoderLayer()),
                        options.numDecoderLayers(),
                        new LayerNorm(new int[] {d}, eps, true)),
                TransformerDecoder.class);
        for (Tensor p : parameters()) {
            if (p.dim() > 1) {
                Init.xavierUniform(p, 1.0);
            }
        }
    }

    public TransformerOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor src) {
        throw new UnsupportedOperationException("Transformer needs a source and a target: call(src, tgt, masks...)");
    }

    /** Without masks. */
    public Tensor forward(Tensor src, Tensor tgt) {
        return forward(src, tgt, null, null, null, null, null, null);
    }

    /**
     * @param src (S, B, E) or (B, S, E) with batchFirst; tgt (T, B, E) or (B, T, E)
     * @param srcMask null or (S, S); tgtMask null or (T, T) (e.g. {@link #generateSquareSubsequentMask});
     *                memoryMask null or (T, S); bool (true = not allowed) or float (added to the scores)
     * @param srcKeyPaddingMask null or (B, S); tgtKeyPaddingMask (B, T); memoryKeyPaddingMask (B, S)
     * @return (T, B, E) or (B, T, E)
     */
    public Tensor forward(
            Tensor src,
            Tensor tgt,
            Tensor srcMask,
            Tensor tgtMask,
            Tensor memoryMask,
            Tensor srcKeyPaddingMask,
            Tensor tgtKeyPaddingMask,
            Tensor memoryKeyPaddingMask) {
        int bd = options.batchFirst() ? 0 : 1;
        if (src.dim() != 3
                || tgt.dim() != 3
                || src.size(bd) != tgt.size(bd)
                || src.size(2) != options.dModel()
                || tgt.size(2) != options.dModel()) {
            throw new IllegalArgumentException("Transformer: expected src and tgt of shape "
                    + (options.batchFirst() ? "(B, T, " : "(T, B, ") + options.dModel()
                    + ") with the same batch size, got " + Shape.str(TensorInternals.shapeRef(src)) + " and "
                    + Shape.str(TensorInternals.shapeRef(tgt)));
        }
        Tensor memory = child("encoder", TransformerEncoder.class).call(src, srcMask, srcKeyPaddingMask);
        return child("decoder", TransformerDecoder.class)
                .call(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask);
    }

    /** Runs {@link #forward(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor)} through the hooks. */
    public final Tensor call(
            Tensor src,
            Tensor tgt,
            Tensor srcMask,
            Tensor tgtMask,
            Tensor memoryMask,
            Tensor srcKeyPaddingMask,
            Tensor tgtKeyPaddingMask,
            Tensor memoryKeyPaddingMask) {
        return callWithHooks(
                a -> forward(
                        (Tensor) a[0],
                        (Tensor) a[1],
                        (Tensor) a[2],
                        (Tensor) a[3],
                        (Tensor) a[4],
                        (Tensor) a[5],
                        (Tensor) a[6],
                        (Tensor) a[7]),
                src,
                tgt,
                srcMask,
                tgtMask,
                memoryMask,
                srcKeyPaddingMask,
                tgtKeyPaddingMask,
                memoryKeyPaddingMask);
    }

    /** Runs {@link #forward(Tensor, Tensor)} (no masks) through the hooks. */
    public final Tensor call(Tensor src, Tensor tgt) {
        return call(src, tgt, null, null, null, null, null, null);
    }

    /**
     * PyTorch's {@code generate_square_subsequent_mask(n)}: a float (n, n) mask, 0 on and below the
     * diagonal and -inf above it (position i may attend to positions <= i).
     */
    public static Tensor generateSquareSubsequentMask(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("generateSquareSubsequentMask: n must be >= 0, got " + n);
        }
        float[] m = new float[n * n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(m, i * n + i + 1, (i + 1) * n, Float.NEGATIVE_INFINITY);
        }
        return Torch.tensor(m, n, n);
    }
}
