package dev.torchlet.ops;

import dev.torchlet.DType;
import dev.torchlet.InferenceMode;
import dev.torchlet.MemoryFormat;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.autograd.Autograd;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.kernels.ConvChannelsLast;
import dev.torchlet.kernels.ConvDepthwiseChannelsLast;
import dev.torchlet.kernels.ConvGeometry;
import dev.torchlet.kernels.ConvInvertedResidualChannelsLast;
import dev.torchlet.kernels.ConvMaxPoolChannelsLast;
import dev.torchlet.kernels.ConvPointwiseChannelsLast;
import dev.torchlet.kernels.ConvWinogradChannelsLast;
import dev.torchlet.kernels.GemmKernels;
import dev.torchlet.kernels.PoolKernels;

/**
 * conv2d on a channels-last input in inference: the output is channels-last too (as in PyTorch), computed by
 * {@link ConvChannelsLast} with the weights packed once and kept (with the weight's storage, so they go with it)
 * while the weight tensor is unchanged; 3x3 stride-1 convolutions over enough pixels by
 * {@link ConvWinogradChannelsLast}, the weights transformed once the same way; 1x1 (pointwise) ones as one matrix
 * product by {@link ConvPointwiseChannelsLast}, the weights packed once as the GEMM's B.
 *
 * <p>Taken when nothing needs a gradient, the input is float32 and channels-last ({@link MemoryFormat}) and the
 * convolution is ungrouped or depthwise ({@link ConvDepthwiseChannelsLast}, its weights transposed once the same
 * way); everything else runs the NCHW kernels. The packed weights are kept with the weight storage
 * ({@link Storage#derived()}) and checked against its {@link Storage#version()}, which every in-place write through
 * the API bumps (copyFrom, loading a state dict, an optimizer step): a changed weight is packed again.
 */
final class ConvolutionChannelsLast {
    private ConvolutionChannelsLast() {}

    /** Which kernel a packed weight copy is laid out for. */
    private enum Layout {
        DIRECT,
        WINOGRAD,
        POINTWISE,
        DEPTHWISE
    }

    /**
     * One weight tensor's packed copy for a kernel (a float[] for the direct, Winograd and depthwise kernels, the
     * GEMM's PackedB for the pointwise one): valid for this storage version, offset and geometry.
     */
    private record Packed(int version, int offset, int cout, int cin, int kh, int kw, Layout layout, Object values) {
        boolean matches(int version, int offset, ConvGeometry g, Layout layout) {
            return this.version == version
                    && this.layout == layout
                    && this.offset == offset
                    && cout == g.cout()
                    && cin == g.cin()
                    && kh == g.kh()
                    && kw == g.kw();
        }
    }

    /**
     * True if conv2d(x, w, bias) (+ addend) runs here: inference, float32, a channels-last input, an ungrouped or
     * a depthwise (one output channel per input channel) convolution.
     */
    static boolean applies(ConvGeometry g, Tensor x, Tensor w, Tensor bias, Tensor addend) {
        return (ConvChannelsLast.applies(g) || ConvDepthwiseChannelsLast.applies(g))
                && x.dtype() == DType.FLOAT32
                && w.dtype() == DType.FLOAT32
                && (addend == null || addend.dtype() == DType.FLOAT32)
                && (Ops.isChannelsLast(x) || readsNchwImage(g, x))
                && !Autograd.needsGrad(x, w, bias, addend);
    }

    /**
     * An image stem in inference mode: an NCHW batch of at most 4 channels (RGB, RGBA, grey) read by an ungrouped
     * convolution. It runs on the direct kernel, reading the batch as it is, transposed into its padded channels-last
     * scratch ({@link ConvChannelsLast#paddedFromNchw}), and its output is channels-last, so the network after it
     * runs channels-last without a conversion of the input (ONNX Runtime reorders its input inside the run the same
     * way). The values are those of the direct kernel on the channels-last copy of the batch.
     */
    static boolean readsNchwImage(ConvGeometry g, Tensor x) {
        return InferenceMode.isEnabled()
                && x.dim() == 4
                && x.isContiguous()
                && g.cin() <= MAX_IMAGE_CHANNELS
                && ConvChannelsLast.applies(g);
    }

    /** The most channels of an NCHW batch {@link #readsNchwImage} takes as an image. */
    static final int MAX_IMAGE_CHANNELS = 4;

    /**
     * clamp(conv2d(x, w, bias) + addend, lo, hi), channels-last (n, cout, oh, ow); addend (of the output's shape)
     * may be null.
     */
    static Tensor forward(ConvGeometry g, Tensor x, Tensor w, Tensor bias, Tensor addend, float lo, float hi) {
        if (!Ops.isChannelsLast(x)) { // an NCHW image (readsNchwImage): padded channels-last in one pass
            float[] image = ConvChannelsLast.paddedFromNchw(
                    g, TensorInternals.storage(x).floats(), x.offset());
            try {
                return run(ConvChannelsLast.unpaddedOver(g), image, 0, w, bias, addend, lo, hi, Layout.DIRECT);
            } finally {
                ConvChannelsLast.releaseImage(image);
            }
        }
        Layout layout = ConvDepthwiseChannelsLast.applies(g)
                ? Layout.DEPTHWISE
                : ConvPointwiseChannelsLast.applies(g)
                        ? Layout.POINTWISE
                        : ConvWinogradChannelsLast.pays(g) ? Layout.WINOGRAD : Layout.DIRECT;
        return run(g, TensorInternals.storage(x).floats(), x.offset(), w, bias, addend, lo, hi, layout);
    }

    /** The convolution g of the channels-last batch in at inOff on the kernel of the layout. */
    private static Tensor run(
            ConvGeometry g,
            float[] in,
            int inOff,
            Tensor w,
            Tensor bias,
            Tensor addend,
            float lo,
            float hi,
            Layout layout) {
        Tensor a = addend == null ? null : addend.contiguous(MemoryFormat.CHANNELS_LAST);
        Storage outStorage = InferenceMode.unrecordedOutputStorage(g.outputSize()); // written whole by each kernel
        float[] out = outStorage.floats();
        float[] b = bias == null ? null : bias.toFloatArray();
        float[] res = a == null ? null : TensorInternals.storage(a).floats();
        int resOff = a == null ? 0 : a.offset();
        Object packed = packed(g, w, layout);
        switch (layout) {
            case DEPTHWISE ->
                ConvDepthwiseChannelsLast.forward(g, in, inOff, (float[]) packed, b, res, resOff, out, lo, hi);
            case POINTWISE ->
                ConvPointwiseChannelsLast.forward(
                        g, in, inOff, (GemmKernels.PackedB) packed, b, res, resOff, out, lo, hi);
            case WINOGRAD ->
                ConvWinogradChannelsLast.forward(g, in, inOff, (float[]) packed, b, res, resOff, out, lo, hi);
            case DIRECT -> ConvChannelsLast.forward(g, in, inOff, (float[]) packed, b, res, resOff, out, lo, hi);
        }
        return wrapChannelsLast(g, outStorage);
    }

    /**
     * True if conv2d(x, w, bias) then max pooling p runs as one pass ({@link ConvMaxPoolChannelsLast}): {@link
     * #applies}, and the convolution is one the direct kernel runs (not depthwise, pointwise or Winograd's).
     */
    static boolean appliesWithMaxPool(ConvGeometry g, Tensor x, Tensor w, Tensor bias, PoolKernels.Geometry p) {
        return applies(g, x, w, bias, null)
                && ConvMaxPoolChannelsLast.applies(g, p)
                && !ConvDepthwiseChannelsLast.applies(g)
                && !ConvPointwiseChannelsLast.applies(g)
                && !ConvWinogradChannelsLast.pays(g);
    }

    /** max_pool_p(clamp(conv2d(x, w, bias), lo, hi)), channels-last (n, cout, p.outH, p.outW). */
    static Tensor forwardMaxPool(
            ConvGeometry g, Tensor x, Tensor w, Tensor bias, float lo, float hi, PoolKernels.Geometry p) {
        int outSize = g.n() * g.cout() * p.outH() * p.outW();
        Storage outStorage = InferenceMode.unrecordedOutputStorage(outSize); // written whole by the kernel
        float[] packed = (float[]) packed(g, w, Layout.DIRECT);
        float[] b = bias == null ? null : bias.toFloatArray();
        if (Ops.isChannelsLast(x)) {
            float[] in = TensorInternals.storage(x).floats();
            ConvMaxPoolChannelsLast.forward(g, in, x.offset(), packed, b, lo, hi, p, outStorage.floats());
        } else { // an NCHW image (readsNchwImage): padded channels-last in one pass
            float[] image = ConvChannelsLast.paddedFromNchw(
                    g, TensorInternals.storage(x).floats(), x.offset());
            ConvGeometry unpadded = ConvChannelsLast.unpaddedOver(g);
            ConvMaxPoolChannelsLast.forward(unpadded, image, 0, packed, b, lo, hi, p, outStorage.floats());
            ConvChannelsLast.releaseImage(image);
        }
        int[] shape = {g.n(), g.cout(), p.outH(), p.outW()};
        int[] strides = {p.outH() * p.outW() * g.cout(), 1, p.outW() * g.cout(), g.cout()};
        return TensorInternals.wrap(outStorage, 0, shape, strides);
    }

    /**
     * MobileNetV2's inverted residual block on a channels-last x (n, cin, h, w) in one pass over strips of rows
     * ({@link ConvInvertedResidualChannelsLast}): the 1x1 expansion we (hidden, cin, 1, 1) with be and its clamp
     * (we null: none, hidden == cin), the 3x3 depthwise wd (hidden, 1, 3, 3) at the stride, padding 1, with bd and its
     * clamp, the linear projection wp (cout, hidden, 1, 1) with bp, plus x when addInput. Shapes are checked by the
     * caller ({@link Convolution#invertedResidual}); every weight packed once and kept, as for the single layers.
     */
    static Tensor invertedResidual(
            Tensor x,
            Tensor we,
            Tensor be,
            float lo1,
            float hi1,
            Tensor wd,
            Tensor bd,
            int stride,
            float lo2,
            float hi2,
            Tensor wp,
            Tensor bp,
            boolean addInput) {
        int n = x.size(0);
        int cin = x.size(1);
        int h = x.size(2);
        int w = x.size(3);
        int hidden = wd.size(0);
        int cout = wp.size(0);
        ConvGeometry dw = ConvInvertedResidualChannelsLast.depthwiseGeometry(n, hidden, h, w, stride);
        ConvInvertedResidualChannelsLast.Block block = new ConvInvertedResidualChannelsLast.Block(
                cin,
                hidden,
                cout,
                stride,
                we == null ? null : pointwise(we, be, cin, hidden, lo1, hi1),
                (float[]) packed(dw, wd, Layout.DEPTHWISE),
                bd == null ? null : bd.toFloatArray(),
                lo2,
                hi2,
                pointwise(wp, bp, hidden, cout, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY),
                addInput);
        ConvGeometry g =
                new ConvGeometry(n, hidden, dw.oh(), dw.ow(), cout, 1, 1, 1, 1, 0, 0, 1, 1, 1, dw.oh(), dw.ow());
        Storage outStorage = InferenceMode.unrecordedOutputStorage(g.outputSize()); // written whole by the kernel
        float[] in = TensorInternals.storage(x).floats();
        ConvInvertedResidualChannelsLast.forward(n, h, w, block, in, x.offset(), outStorage.floats());
        return wrapChannelsLast(g, outStorage);
    }

    /** A 1x1 convolution's weights packed (and kept) for the kernel the block runs it on. */
    private static ConvInvertedResidualChannelsLast.Pointwise pointwise(
            Tensor w, Tensor bias, int cin, int cout, float lo, float hi) {
        ConvGeometry g = ConvInvertedResidualChannelsLast.pointwiseGeometry(cin, cout, 1, 1);
        float[] b = bias == null ? null : bias.toFloatArray();
        if (ConvPointwiseChannelsLast.applies(g)) {
            var packed = (GemmKernels.PackedB) packed(g, w, Layout.POINTWISE);
            return new ConvInvertedResidualChannelsLast.Pointwise(packed, null, b, lo, hi);
        }
        return new ConvInvertedResidualChannelsLast.Pointwise(null, (float[]) packed(g, w, Layout.DIRECT), b, lo, hi);
    }

    /** out (n, oh, ow, cout) row-major as the channels-last tensor (n, cout, oh, ow). */
    private static Tensor wrapChannelsLast(ConvGeometry g, Storage out) {
        int[] shape = {g.n(), g.cout(), g.oh(), g.ow()};
        int[] strides = {g.oh() * g.ow() * g.cout(), 1, g.ow() * g.cout(), g.cout()};
        return TensorInternals.wrap(out, 0, shape, strides);
    }

    /**
     * w's packed copy for the kernel of this layout: the one kept with w's storage if it is unchanged since it was
     * packed, else packed now.
     */
    private static Object packed(ConvGeometry g, Tensor w, Layout layout) {
        if (!w.isContiguous()) {
            return pack(g, w, layout);
        }
        Storage storage = TensorInternals.storage(w);
        int version = storage.version();
        if (storage.derived() instanceof Packed p && p.matches(version, w.offset(), g, layout)) {
            return p.values();
        }
        Object values = pack(g, w, layout);
        storage.setDerived(new Packed(version, w.offset(), g.cout(), g.cin(), g.kh(), g.kw(), layout, values));
        return values;
    }

    private static Object pack(ConvGeometry g, Tensor w, Layout layout) {
        float[] values = Convolution.floats(w);
        return switch (layout) {
            case DIRECT -> ConvChannelsLast.pack(g, values);
            case WINOGRAD -> ConvWinogradChannelsLast.pack(g, values);
            case POINTWISE -> ConvPointwiseChannelsLast.pack(g, values);
            case DEPTHWISE -> ConvDepthwiseChannelsLast.pack(g, values);
        };
    }
}
