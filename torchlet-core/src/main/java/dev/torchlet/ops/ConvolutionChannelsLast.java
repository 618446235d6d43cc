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
import dev.torchlet.kernels.ConvWinogradChannelsLast;

/**
 * conv2d on a channels-last input in inference: the output is channels-last too (as in PyTorch), computed by
 * {@link ConvChannelsLast} with the weights packed once and kept (with the weight's storage, so they go with it)
 * while the weight tensor is unchanged; 3x3 stride-1 convolutions over enough pixels by
 * {@link ConvWinogradChannelsLast}, the weights transformed once the same way.
 *
 * <p>Taken when nothing needs a gradient, the input is float32 and channels-last ({@link MemoryFormat}) and the
 * convolution is ungrouped or depthwise ({@link ConvDepthwiseChannelsLast}, whose few weights are transposed
 * per call); everything else runs the NCHW kernels. The packed weights are kept with the weight storage
 * ({@link Storage#derived()}) and checked against its {@link Storage#version()}, which every in-place write through
 * the API bumps (copyFrom, loading a state dict, an optimizer step): a changed weight is packed again.
 */
final class ConvolutionChannelsLast {
    private ConvolutionChannelsLast() {}

    /**
     * One weight tensor's packed copy (Winograd-transformed if winograd): valid for this storage version, offset
     * and geometry.
     */
    private record Packed(
            int version, int offset, int cout, int cin, int kh, int kw, boolean winograd, float[] values) {
        boolean matches(int version, int offset, ConvGeometry g, boolean winograd) {
            return this.version == version
                    && this.winograd == winograd
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
                && Ops.isChannelsLast(x)
                && !Autograd.needsGrad(x, w, bias, addend);
    }

    /**
     * clamp(conv2d(x, w, bias) + addend, lo, hi), channels-last (n, cout, oh, ow); addend (of the output's shape)
     * may be null.
     */
    static Tensor forward(ConvGeometry g, Tensor x, Tensor w, Tensor bias, Tensor addend, float lo, float hi) {
        Tensor a = addend == null ? null : addend.contiguous(MemoryFormat.CHANNELS_LAST);
        Storage outStorage = InferenceMode.outputStorage(g.outputSize()); // written whole by each kernel
        float[] out = outStorage.floats();
        float[] in = TensorInternals.storage(x).floats();
        float[] b = bias == null ? null : bias.toFloatArray();
        float[] res = a == null ? null : TensorInternals.storage(a).floats();
        int resOff = a == null ? 0 : a.offset();
        if (ConvDepthwiseChannelsLast.applies(g)) {
            ConvDepthwiseChannelsLast.forward(g, in, x.offset(), Convolution.floats(w), b, res, resOff, out, lo, hi);
        } else if (ConvWinogradChannelsLast.pays(g)) {
            ConvWinogradChannelsLast.forward(g, in, x.offset(), packed(g, w, true), b, res, resOff, out, lo, hi);
        } else {
            ConvChannelsLast.forward(g, in, x.offset(), packed(g, w, false), b, res, resOff, out, lo, hi);
        }
        return wrapChannelsLast(g, outStorage);
    }

    /** out (n, oh, ow, cout) row-major as the channels-last tensor (n, cout, oh, ow). */
    private static Tensor wrapChannelsLast(ConvGeometry g, Storage out) {
        int[] shape = {g.n(), g.cout(), g.oh(), g.ow()};
        int[] strides = {g.oh() * g.ow() * g.cout(), 1, g.ow() * g.cout(), g.cout()};
        return TensorInternals.wrap(out, 0, shape, strides);
    }

    /**
     * w's packed copy for the direct kernel, or transformed for Winograd's: the one kept with w's storage if it is
     * unchanged since it was packed, else packed now.
     */
    private static float[] packed(ConvGeometry g, Tensor w, boolean winograd) {
        if (!w.isContiguous()) {
            return pack(g, w, winograd);
        }
        Storage storage = TensorInternals.storage(w);
        int version = storage.version();
        if (storage.derived() instanceof Packed p && p.matches(version, w.offset(), g, winograd)) {
            return p.values();
        }
        float[] values = pack(g, w, winograd);
        storage.setDerived(new Packed(version, w.offset(), g.cout(), g.cin(), g.kh(), g.kw(), winograd, values));
        return values;
    }

    private static float[] pack(ConvGeometry g, Tensor w, boolean winograd) {
        float[] values = Convolution.floats(w);
        return winograd ? ConvWinogradChannelsLast.pack(g, values) : ConvChannelsLast.pack(g, values);
    }
}
