/**
 * int8 kernels below the kernel boundary: plain-loop references (the test oracles) and Vector API kernels for
 * uint8 x int8 -> int32 GEMM ({@link dev.torchlet.compress.kernels.Int8Gemm}) and convolution
 * ({@link dev.torchlet.compress.kernels.Int8Conv2d}), requantization
 * ({@link dev.torchlet.compress.kernels.Requantize}) and quantize / dequantize
 * ({@link dev.torchlet.compress.kernels.QuantizeKernels}). They take arrays, offsets and sizes and know nothing of
 * {@code Tensor} or autograd. (They live here rather than in core's {@code dev.torchlet.kernels}, the module that
 * owns quantization; they use core's {@code Parallel} pool.)
 *
 * <h2>What C2 emits for int8 / int16 multiply-adds (JDK 25.0.3, AVX2 + FMA, no AVX-512 / VNNI visible)</h2>
 *
 * Measured on the development VM (AMD EPYC Zen 4 with AVX-512 hidden: {@code UseAVX=2}, 16 ymm registers), one
 * thread, a 4 x 16 register tile over L1/L2-resident 64 x 64 x 512 operands, GOPS = 2*m*n*k / s (medians; the
 * machine is shared, so numbers move by 10-30% from run to run). Instructions were read from
 * {@code -XX:CompileCommand=print} output: without hsdis HotSpot prints the code bytes, which {@code objdump -D -b
 * binary -mi386:x86-64} disassembles.
 *
 * <table>
 *   <caption>int8 multiply-add variants</caption>
 *   <tr><th>variant</th><th>what C2 emits per 16 multiply-adds</th><th>GOPS / thread</th></tr>
 *   <tr><td>float32 FMA tile (the baseline; core's {@code GemmF32} reaches ~85 on this machine)</td>
 *       <td>2 {@code vfmadd231ps}</td><td>62</td></tr>
 *   <tr><td>Vector API, int32 lanes: {@code B2I} (or int operands), {@code mul}, {@code add}</td>
 *       <td>2 {@code vpmulld} + 2 {@code vpaddd}</td><td>52-55</td></tr>
 *   <tr><td>Vector API, int16 lanes: {@code ShortVector.mul} then {@code convertShape(S2I, part 0/1)}</td>
 *       <td>{@code vpmullw} + {@code vextracti128} + 2 {@code vpmovsxwd} + 2 {@code vpaddd}</td><td>23</td></tr>
 *   <tr><td>Vector API, int16 products of unsigned pairs, widened by {@code x + (x >>> 16)} bookkeeping</td>
 *       <td>{@code vpmullw} + {@code vpsrld} + 2 {@code vpaddd}</td><td>52-56</td></tr>
 *   <tr><td><b>Vector API, the pair trick</b> ({@link dev.torchlet.compress.kernels.Int8Gemm}; activations
 *       0..127): one 32-bit multiply leaves {@code a0*w0 + a1*w1} in the upper half</td>
 *       <td>{@code vpmulld} + {@code vpsrld} + {@code vpaddd}</td><td><b>84</b> (1.35x float)</td></tr>
 *   <tr><td>the same trick with pixels in the lanes ({@link dev.torchlet.compress.kernels.Int8Conv2d}'s kernel,
 *       weights broadcast), ResNet-18 layer1 3x3 conv GEMM (3136 x 64 x 576)</td>
 *       <td>{@code vpmulld} + {@code vpsrld} + {@code vpaddd}</td><td>~104</td></tr>
 *   <tr><td>plain Java, superword {@code out[i] += a[2i]*b[2i] + a[2i+1]*b[2i+1]} (short arrays, the MulAddS2I
 *       pattern of JDK-8214751)</td>
 *       <td>{@code vpmaddwd} + {@code vpaddd} with the {@code out} load and store: store-bound</td><td>20-26</td></tr>
 *   <tr><td>plain Java, the same as a reduction {@code s += a[2i]*b[2i] + a[2i+1]*b[2i+1]}</td>
 *       <td>not vectorized (scalar {@code imul})</td><td>2.5-3</td></tr>
 * </table>
 *
 * <p>So: the Vector API in JDK 25 has no operation that C2 lowers to {@code vpmaddwd} or {@code vpmaddubsw}
 * ({@code VectorOperators} has no dot product or widening multiply-add; C2's {@code MulAddVS2VI} node, which becomes
 * {@code vpmaddwd}, or {@code vpdpwssd} with AVX-512 VNNI, is built only by the superword auto-vectorizer, from the
 * non-reduction short-array pattern above). That pattern needs both operands to vary along the loop and a store per
 * {@code vpmaddwd}, so it does not fit a register-blocked GEMM (a two-term body or a reduction is not vectorized at
 * all). With AVX2 the best int8 kernel found is therefore the 32-bit pair trick: 16 multiply-adds per
 * {@code vpmulld} (float: 8 per FMA), limited by {@code vpmulld} throughput to about float's FMA peak, but it runs
 * at ~94% of that limit where the float kernel reaches 70-80%, and its operands are half the size (weights: 2
 * bytes each, packed; activations 1 byte in, 2 bytes packed). On a machine that shows AVX-512 VNNI to the JVM the
 * same code runs on 512-bit vectors; VNNI instructions are still out of the Vector API's reach.
 *
 * <h2>On an AVX-512 VNNI machine (1 Dec 2026)</h2>
 *
 * The development VM later became an Intel Xeon (family 6, model 207) that shows AVX-512 (F, BW, VL, VNNI, FP16)
 * and AMX to the JVM: {@code UseAVX=3}, {@code IntVector.SPECIES_PREFERRED} is 512 bits. What changed:
 * <ul>
 *   <li><b>VNNI is emitted, but only by the auto-vectorizer.</b> The short-array loop
 *       {@code out[i] += a[2i]*b[2i] + a[2i+1]*b[2i+1]} now compiles to {@code vpdpwssd zmm} (read from
 *       {@code -XX:CompileCommand=print} bytes with objdump), each one between a load and a store of {@code out}.
 *       On L1-resident arrays it runs at 10-14.5 G multiply-adds/s per thread, against 72 G for the float32 FMA
 *       peak (144 GFLOP/s per thread measured with 12 independent {@code FloatVector.fma} chains). The Vector API
 *       still has no operation that C2 lowers to {@code vpdpbusd}, {@code vpdpwssd}, {@code vpmaddwd} or AMX.</li>
 *   <li><b>The pair trick loses to float32 here.</b> Its {@code vpmulld} and {@code vpsrld} on zmm registers share
 *       one execution port on this core, while float FMAs issue on two, so the same code that was 1.3x float32
 *       with AVX2 on Zen 4 is now slower than float32 on the compute-bound shapes ({@code Int8GemmBench 1 5}, one
 *       thread, medians of 5 rounds): GEMM i8/f32 0.55x (k = 9), 0.75x (12544 x 64 x 288), 0.78x (3136 x 64 x
 *       576), 0.66x (784 x 128 x 1152), 0.97x (49 x 512 x 4608); still ahead where weights dominate: 1.8x at
 *       1 x 1024 x 512, 2.6x at 8 x 1024 x 256, 1.5x at 16 x 1024 x 512. Whole convolutions with requantization:
 *       Fashion-MNIST conv1 1.46x, conv2 0.61x; ResNet-18 stem 1.14x, 3x3 layers 0.58-0.64x, 7x7 x 512 1.21x,
 *       1x1 stride-2 0.70x. End to end, {@code resnet18_int8_b1_ms} took 44-78 ms against 37-54 ms for float32,
 *       and PyTorch's oneDNN int8 (VNNI/AMX code generated at run time) 9.4 ms.</li>
 *   <li>Other int8 forms were considered: 16-bit products ({@code vpmullw}) need shifts to widen into 32-bit sums,
 *       which use the same port; products in float32 (exact for k up to 1024 per partial sum) can at best equal
 *       the float32 kernels. So on this CPU, with JDK 25, no Vector API int8 kernel can beat float32 on
 *       compute-bound layers: int8 pays off only where weights dominate (dynamic Linear/LSTM at small batch) and
 *       for size.</li>
 * </ul>
 *
 * <h2>Speed against core's float32 kernels</h2>
 *
 * {@code Int8GemmBench} (src/test; how to run it is in its Javadoc) times {@code Int8Gemm} against {@code
 * GemmKernels.sgemm} and {@code Int8Conv2d} + {@code Requantize.toUint8Planar} against {@code ConvKernels.forward} on
 * the shapes. One thread, CPU time, medians of 7 rounds on the shared 2-core VM (30 Nov 2026): GEMM
 * 1.3-1.35x on the compute-bound conv / Linear shapes at 66-86 GOPS (float 51-64), 1.6x for GEMV (m = 1: the
 * packed weights are half float's size), 2.2-3.0x for m = 8..16, 1.5-1.6x at m = 64 (LSTM / Linear, n = 1024) and
 * 1.9x for the 49 x 512 x 4608 layer; only k = 9 as a bare GEMM is slower (0.6x: five k steps do not pay for the
 * packing; the convolution path does not go through it). Whole convolutions including requantization to uint8:
 * Fashion-MNIST conv1 / conv2 at batch 64 1.7x / 1.4x, ResNet-18 (batch 1) stem 1.7x, 3x3 layers 1.15-1.3x at
 * 56x56 / 28x28 and 1.56x at 7x7 x 512, 1x1 stride-2 downsampling 0.9x. Two threads, when the other core was
 * free (best of 15-30 calls): GEMM 1.6-1.8x faster than one thread (e.g. 3136 x 64 x 576 130 GOPS int8 vs 109
 * float32), Fashion-MNIST conv2 at batch 64 5.9 -> 2.9 ms int8 (float32 9.2 -> 4.0 ms).
 *
 * <h2>Activation range</h2>
 *
 * The pair trick is exact only for activations 0..127 (7 bits, so that a pair's dot product with the biased weights
 * w + 128 stays below 2^16). That is what PyTorch's fbgemm configuration does on x86 ({@code reduce_range=True} in
 * its observers and in dynamic linear / LSTM) for the same kind of reason. The observers must therefore use
 * reduce_range=true; {@link dev.torchlet.compress.kernels.Int8Gemm} detects rows with values above 127 and runs them
 * on an exact path (two {@code vpmulld} per 8 multiply-adds, about 40% of the fast path's speed), so results are
 * always bit-exact with the references.
 */
package dev.torchlet.compress.kernels;
