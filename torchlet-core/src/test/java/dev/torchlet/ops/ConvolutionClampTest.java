package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import org.junit.jupiter.api.Test;

/**
 * conv2dClamped = clamp(conv2d) and conv2dAddClamped = clamp(conv2d + addend) on every kernel path (depthwise, 1x1
 * GEMM, direct stride 1, im2col stride 2), fused without autograd and recorded as the unfused ops with it. The fused
 * results equal the unfused ops exactly: the addition and clamp are applied to the same float sums in the same order.
 */
class ConvolutionClampTest {
    private static final float INF = Float.POSITIVE_INFINITY;

    /** (input shape, weight shape, options): one geometry per kernel path. */
    private static final Object[][] CASES = {
        {
            new int[] {2, 8, 9, 11},
            new int[] {8, 1, 3, 3},
            ConvOptions.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 8)
        },
        {
            new int[] {2, 8, 9, 11},
            new int[] {8, 1, 3, 3},
            ConvOptions.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 8)
        },
        {
            new int[] {2, 6, 7, 13},
            new int[] {10, 6, 1, 1},
            ConvOptions.of(new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1)
        },
        {
            new int[] {2, 5, 12, 19},
            new int[] {9, 5, 3, 3},
            ConvOptions.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)
        },
        {
            new int[] {2, 5, 12, 19},
            new int[] {9, 5, 3, 3},
            ConvOptions.of(new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1)
        },
    };

    private static final float[][] BOUNDS = {{0f, INF}, {0f, 6f}, {-0.5f, 0.25f}, {-INF, INF}};

    @Test
    void fusedEqualsConvThenClampOnEveryKernelPath() {
        assertFusedEqualsUnfused(7, (x, w, bias, o, lo, hi) -> new Tensor[] {
            Unary.clamp(Convolution.conv2d(x, w, bias, o), lo, hi), Convolution.conv2dClamped(x, w, bias, o, lo, hi)
        });
    }

    @Test
    void fusedAdditionEqualsConvAddClampOnEveryKernelPath() {
        assertFusedEqualsUnfused(8, (x, w, bias, o, lo, hi) -> {
            Tensor addend =
                    Torch.randn(Convolution.conv2d(x, w, null, o).shape()).mul(2f);
            return new Tensor[] {
                Unary.clamp(Convolution.conv2d(x, w, bias, o).add(addend), lo, hi),
                Convolution.conv2dAddClamped(x, w, bias, o, addend, lo, hi)
            };
        });
    }

    /** The unfused ops' result and the fused op's, for one input, weight, bias (or null), options and clamp. */
    private interface UnfusedAndFused {
        Tensor[] run(Tensor x, Tensor w, Tensor bias, ConvOptions o, float lo, float hi);
    }

    /** For every case, clamp range and bias (or none): the fused result equals the unfused one exactly. */
    private static void assertFusedEqualsUnfused(long seed, UnfusedAndFused ops) {
        Torch.manualSeed(seed);
        for (Object[] c : CASES) {
            Tensor x = Torch.randn((int[]) c[0]).mul(3f);
            int[] ws = (int[]) c[1];
            Tensor w = Torch.randn(ws);
            Tensor b = Torch.randn(ws[0]);
            ConvOptions o = (ConvOptions) c[2];
            for (float[] lohi : BOUNDS) {
                for (Tensor bias : new Tensor[] {b, null}) {
                    Tensor[] results = ops.run(x, w, bias, o, lohi[0], lohi[1]);
                    assertArrayEquals(results[0].shape(), results[1].shape());
                    assertArrayEquals(
                            results[0].toFloatArray(),
                            results[1].toFloatArray(),
                            0f,
                            "input " + java.util.Arrays.toString((int[]) c[0]) + " weight "
                                    + java.util.Arrays.toString(ws) + " clamp " + lohi[0] + ".." + lohi[1]
                                    + (bias == null ? ", no bias" : ""));
                }
            }
        }
    }

    @Test
    void anAddendOfAnotherShapeIsBroadcastByTheUnfusedOps() {
        Torch.manualSeed(9);
        ConvOptions o = ConvOptions.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        Tensor x = Torch.randn(2, 3, 6, 6);
        Tensor w = Torch.randn(4, 3, 3, 3);
        Tensor perChannel = Torch.randn(1, 4, 1, 1);
        Tensor expected = Convolution.conv2d(x, w, null, o).add(perChannel).relu();
        assertArrayEquals(
                expected.toFloatArray(),
                Convolution.conv2dAddClamped(x, w, null, o, perChannel, 0f, INF).toFloatArray(),
                0f);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Convolution.conv2dAddClamped(x, w, null, o, Torch.randn(3, 6, 6), 0f, INF));
        assertTrue(e.getMessage().contains("broadcast") || e.getMessage().contains("shape"), e.getMessage());
    }

    @Test
    void withAutogradTheAdditionIsTheUnfusedOpsAndTheirGradients() {
        Torch.manualSeed(12);
        ConvOptions o = ConvOptions.of(new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
        Tensor x1 = Torch.randn(2, 3, 5, 5).requiresGrad(true);
        Tensor w1 = Torch.randn(4, 3, 1, 1).requiresGrad(true);
        Tensor r1 = Torch.randn(2, 4, 5, 5).requiresGrad(true);
        Tensor x2 = x1.detach().requiresGrad(true);
        Tensor w2 = w1.detach().requiresGrad(true);
        Tensor r2 = r1.detach().requiresGrad(true);
        Tensor fused = Convolution.conv2dAddClamped(x1, w1, null, o, r1, 0f, INF);
        Tensor ops = Convolution.conv2d(x2, w2, null, o).add(r2).relu();
        assertEquals("ReluBackward0", fused.gradFn().name());
        fused.sum().backward();
        ops.sum().backward();
        assertArrayEquals(ops.toFloatArray(), fused.toFloatArray(), 0f);
        assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray(), 0f);
        assertArrayEquals(w2.grad().toFloatArray(), w1.grad().toFloatArray(), 0f);
        assertArrayEquals(r2.grad().toFloatArray(), r1.grad().toFloatArray(), 0f);
    }

    /**
     * Without a clamp, the fused addition stays fused under autograd as one op (ConvolutionAddBackward): the same
     * values and gradients (x, w, bias and the addend) as conv2d then add, bit for bit, on every kernel path and on
     * the Winograd one (64 channels, 32 tiles), under a non-uniform upstream gradient.
     */
    @Test
    void withAutogradAnUnclampedAdditionIsOneOpWithTheUnfusedValuesAndGradients() {
        Object[][] cases = java.util.Arrays.copyOf(CASES, CASES.length + 1);
        cases[CASES.length] = new Object[] {
            new int[] {2, 64, 16, 16},
            new int[] {64, 64, 3, 3},
            ConvOptions.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1)
        };
        Torch.manualSeed(13);
        for (Object[] c : cases) {
            int[] wShape = (int[]) c[1];
            ConvOptions o = (ConvOptions) c[2];
            Tensor x1 = Torch.randn((int[]) c[0]).requiresGrad(true);
            Tensor w1 = Torch.randn(wShape).requiresGrad(true);
            Tensor b1 = Torch.randn(wShape[0]).requiresGrad(true);
            Tensor y0 = Convolution.conv2d(x1.detach(), w1.detach(), null, o);
            Tensor r1 = Torch.randn(y0.shape()).requiresGrad(true);
            Tensor upstream = Torch.randn(y0.shape());
            Tensor x2 = x1.detach().requiresGrad(true);
            Tensor w2 = w1.detach().requiresGrad(true);
            Tensor b2 = b1.detach().requiresGrad(true);
            Tensor r2 = r1.detach().requiresGrad(true);
            Tensor fused = Convolution.conv2dAddClamped(x1, w1, b1, o, r1, -INF, INF);
            Tensor ops = Convolution.conv2d(x2, w2, b2, o).add(r2);
            String where = java.util.Arrays.toString(wShape) + " " + o;
            assertEquals("ConvolutionAddBackward", fused.gradFn().name(), where);
            fused.mul(upstream).sum().backward();
            ops.mul(upstream).sum().backward();
            assertArrayEquals(ops.toFloatArray(), fused.toFloatArray(), 0f, where);
            assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray(), 0f, where);
            assertArrayEquals(w2.grad().toFloatArray(), w1.grad().toFloatArray(), 0f, where);
            assertArrayEquals(b2.grad().toFloatArray(), b1.grad().toFloatArray(), 0f, where);
            assertArrayEquals(r2.grad().toFloatArray(), r1.grad().toFloatArray(), 0f, where);
        }
    }

    @Test
    void nanStaysNan() {
        Tensor x = Torch.ones(1, 2, 5, 5);
        float[] wv = new float[2 * 2 * 9];
        wv[0] = Float.NaN;
        Tensor w = Torch.tensor(wv, 2, 2, 3, 3);
        Tensor y = Convolution.conv2dClamped(
                x, w, null, ConvOptions.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1), 0f, 6f);
        float[] out = y.toFloatArray();
        assertTrue(Float.isNaN(out[6]), "output channel 0 reads the NaN tap");
        assertEquals(0f, out[25], "channel 1 is zero");
    }

    @Test
    void withAutogradItIsTheUnfusedPairAndItsGradients() {
        Torch.manualSeed(11);
        ConvOptions o = ConvOptions.of(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        Tensor x1 = Torch.randn(2, 3, 6, 6).requiresGrad(true);
        Tensor w1 = Torch.randn(4, 3, 3, 3).requiresGrad(true);
        Tensor x2 = x1.detach().requiresGrad(true);
        Tensor w2 = w1.detach().requiresGrad(true);
        Tensor fused = Convolution.conv2dClamped(x1, w1, null, o, 0f, 6f);
        Tensor pair = Unary.clamp(Convolution.conv2d(x2, w2, null, o), 0f, 6f);
        assertEquals("ClampBackward1", fused.gradFn().name());
        fused.sum().backward();
        pair.sum().backward();
        assertArrayEquals(pair.toFloatArray(), fused.toFloatArray(), 0f);
        assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray(), 0f);
        assertArrayEquals(w2.grad().toFloatArray(), w1.grad().toFloatArray(), 0f);
        assertEquals(
                "ReluBackward0",
                Convolution.conv2dClamped(x1, w1, null, o, 0f, INF).gradFn().name());
    }

    @Test
    void emptyRangeIsRejected() {
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Convolution.conv2dClamped(
                        Torch.ones(1, 1, 3, 3),
                        Torch.ones(1, 1, 1, 1),
                        null,
                        ConvOptions.of(new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1),
                        1f,
                        0f));
        assertTrue(e.getMessage().contains("lo <= hi"), e.getMessage());
    }
}
