/**
 * The kernel boundary: loops over arrays + offsets/strides/sizes that write into an output. Nothing
 * here knows about {@code Tensor} shapes-with-semantics, dtype promotion or autograd; the op classes
 * in {@code dev.torchlet.ops} check arguments, pick the dtype path and call these. The
 * {@code jdk.incubator.vector} use of the project stays inside this package.
 *
 * <h2>Naming: one scheme for every family</h2>
 * <pre>
 *   &lt;Family&gt;Kernels     the entry points the ops call: the fast kernels (Vector API, blocked,
 *                       multi-threaded on {@link dev.torchlet.kernels.Parallel}), or the only
 *                       implementation where a plain loop is already as fast (IndexKernels, CopyKernels)
 *   &lt;Family&gt;Reference   the plain-loop twin: readable, the oracle of the conformance tests, and
 *                       (in double) the float64 path the ops use for gradient checks
 *   &lt;Family&gt;&lt;Part&gt;      an internal piece of a large family, named by what it is:
 *                       GemmF32, GemmF64, GemmPacking; ConvDirect, ConvDirectWeight, ConvGemm,
 *                       ConvDepthwise, ConvIm2col; ConvGeometry (sizes); BinaryOp, UnaryFn (the functions
 *                       applied)
 * </pre>
 * Families: Adam (the optimizer update), Attention, Binary (two-input elementwise: broadcast arithmetic,
 * in-place add), Conv, Copy (strided copy/scatter), CrossEntropy, Gemm, Index (gather/scatter by
 * position lists), Interpolation, Norm (batch/group/layer norm), Pool, Random (SplitMix64 uniform draws
 * computed from the stream's state and the draw's index, dropout drawing its own mask), Recurrent (LSTM/GRU/RNN
 * sequences), Reduce (row sums/products/arg-extrema, column sums, lane sums), Softmax, Unary
 * (one-input elementwise: any scalar function, ReLU). Two shared pieces are not families:
 * {@link dev.torchlet.kernels.Parallel} (the intra-op thread pool) and {@link dev.torchlet.kernels.Simd}
 * (the vector species and vector math helpers).
 *
 * <p>A newcomer looking for "conv2d's weight gradient" reads {@code ConvKernels.backwardWeight}, which
 * names the part that runs for the geometry, and {@code ConvReference.backwardWeight} for the formula.
 *
 * <h2>Vector code and the JIT</h2>
 * A {@code FloatVector} only stays in registers while C2 sees every method it flows through: passed to or returned
 * from a call C2 does not inline, it is boxed (an object and its lane array per call), and the kernel runs many
 * times slower. Whether C2 inlines a small helper outside a hot loop depends on the profile and on the timing of
 * the compilation: {@code GemmF32.axpy4}'s store helper stayed out of line only when the launcher's AOT cache had
 * changed that timing, and a Transformer training step ran 2.5x slower. So tile epilogues are written out in the
 * kernel itself; helpers taking or returning vectors are kept to tiny ones called inside the hot loops
 * ({@code Simd.load}/{@code store}, the math in {@link dev.torchlet.kernels.Simd}). Inlining also stops once a
 * method's IR passes C2's node limit ({@code -XX:+PrintInlining} says {@code NodeCountInliningCutoff}), which a loop
 * over {@code Simd.exp} alone reaches: {@code SoftmaxKernels.rowForward} boxes its row sum's vector once per row
 * (split into small methods it was no faster in attention, so it stays).
 *
 * <p>One float species: every kernel uses {@link dev.torchlet.kernels.Simd#FLOAT} ({@code OneFloatSpeciesTest}).
 * The JDK's vector classes keep one type profile for all shapes, so a second shape anywhere in the process (dropout's
 * draws once were 256-bit) can leave kernels compiled later calling the Vector API's Java fallback: a U-Net step ran
 * 2.8x slower after a Transformer in the same JVM.
 *
 * <p>Reading JFR profiles of this code: a sample taken in an intrinsic's instructions is attributed to the innermost
 * inlined JDK frame, so {@code FloatVector.fromArray0Template} or {@code Objects.checkIndex} as the top frame can
 * mean "in this kernel's loads" (the load was intrinsified: {@code -XX:CompileCommand=PrintInlining,...} says so).
 * The fallback above showed as self time in {@code FloatVector.lanewiseTemplate}; boxing shows as
 * {@code new_instance} calls in the compiled code ({@code -XX:CompileCommand=print}).
 */
package dev.torchlet.kernels;
