package dev.torchlet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * conv1d / conv2d / convTranspose2d against PyTorch goldens (tools/golden/gen_conv.py), float64
 * gradcheck, non-contiguous inputs and bad arguments.
 *
 * <p>Tolerances: atol 1e-5, rtol 1e-4 for outputs; gradients sum over up to N*H*W products, so
 * they get atol 1e-4 (float32 accumulation over a few hundred terms of size ~1).
 */
class ConvolutionTest {
    private static final String FILE = "conv";
    private static final String CASES = "basic,stride2,dilation2,groups2,depthwise,depthwise_s1,nobias_nonsquare,"
            + "pointwise,stride2_nopad_5x5,conv1d,conv1d_dil_groups,tconv_s2_op1,tconv_groups_dil,tconv_nonsquare";

    /** Runs the op of a fixture case on (x, w, b) with the case's parameters. */
    private static Tensor run(String name, Tensor x, Tensor w, Tensor b) {
        long[] p = Golden.get(FILE, name + ".params").toLongArray();
        int[] stride = {(int) p[1], (int) p[2]};
        int[] padding = {(int) p[3], (int) p[4]};
        int[] dilation = {(int) p[5], (int) p[6]};
        int groups = (int) p[7];
        int[] outputPadding = {(int) p[8], (int) p[9]};
        return switch ((int) p[0]) {
            case 0 -> Convolution.conv2d(x, w, b, stride, padding, dilation, groups);
            case 1 -> Convolution.conv1d(x, w, b, stride[1], padding[1], dilation[1], groups);
            default -> Convolution.convTranspose2d(x, w, b, stride, padding, outputPadding, groups, dilation);
        };
    }

    private static Tensor fixture(String name, String key) {
        return Golden.load(FILE).get(name + "." + key);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "basic",
                "stride2",
                "dilation2",
                "groups2",
                "depthwise",
                "depthwise_s1",
                "nobias_nonsquare",
                "pointwise",
                "stride2_nopad_5x5",
                "conv1d",
                "conv1d_dil_groups",
                "tconv_s2_op1",
                "tconv_groups_dil",
                "tconv_nonsquare"
            })
    void matchesPyTorchForwardAndBackward(String name) {
        Tensor x = fixture(name, "x").detach().requiresGrad(true);
        Tensor w = fixture(name, "w").detach().requiresGrad(true);
        Tensor b0 = fixture(name, "b");
        Tensor b = b0 == null ? null : b0.detach().requiresGrad(true);
        Tensor out = run(name, x, w, b);
        Golden.assertClose(fixture(name, "out"), out, 1e-5, 1e-4, name + " output");
        out.backward(fixture(name, "gout"));
        Golden.assertClose(fixture(name, "gx"), x.grad(), 1e-4, 1e-4, name + " input grad");
        Golden.assertClose(fixture(name, "gw"), w.grad(), 1e-4, 1e-4, name + " weight grad");
        if (b != null) {
            Golden.assertClose(fixture(name, "gb"), b.grad(), 1e-4, 1e-4, name + " bias grad");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "basic",
                "stride2",
                "dilation2",
                "groups2",
                "depthwise",
                "depthwise_s1",
                "nobias_nonsquare",
                "pointwise",
                "stride2_nopad_5x5",
                "conv1d",
                "conv1d_dil_groups",
                "tconv_s2_op1",
                "tconv_groups_dil",
                "tconv_nonsquare"
            })
    void float64GradCheck(String name) {
        Tensor x = fixture(name, "x").requiresGrad(true);
        Tensor w = fixture(name, "w").requiresGrad(true);
        Tensor b = fixture(name, "b");
        if (b == null) {
            GradCheck.check(name, in -> run(name, in[0], in[1], null), x, w);
        } else {
            GradCheck.check(name, in -> run(name, in[0], in[1], in[2]), x, w, b.requiresGrad(true));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic", "stride2", "depthwise", "tconv_s2_op1"})
    void onlyTheWeightRequiresGrad(String name) {
        Tensor x = fixture(name, "x").detach();
        Tensor w = fixture(name, "w").detach().requiresGrad(true);
        Tensor b = fixture(name, "b").detach();
        run(name, x, w, b).backward(fixture(name, "gout"));
        assertNull(x.grad());
        assertNull(b.grad());
        Golden.assertClose(fixture(name, "gw"), w.grad(), 1e-4, 1e-4, name + " weight grad alone");
    }

    @Test
    void everyFixtureCaseIsTested() {
        Map<String, Tensor> all = Golden.load(FILE);
        for (String key : all.keySet()) {
            String name = key.substring(0, key.indexOf('.'));
            assertTrue(("," + CASES + ",").contains("," + name + ","), "fixture case " + name + " has no test");
        }
    }

    @Test
    void nonContiguousInputAndWeight() {
        Torch.manualSeed(3);
        Tensor x = Torch.randn(2, 5, 3, 6); // (N, H, C, W) storage, viewed as (N, C, H, W)
        Tensor w = Torch.randn(3, 3, 4, 3); // (kH, kW, Cout, Cin) storage, viewed as (Cout, Cin, kH, kW)
        Tensor xv = x.permute(0, 2, 1, 3);
        Tensor wv = w.permute(2, 3, 0, 1);
        Tensor bias = Torch.randn(8).slice(0, 0, 8, 2); // stride-2 bias
        for (int[] stride : new int[][] {{1, 1}, {2, 1}}) {
            Tensor got = Convolution.conv2d(xv, wv, bias, stride, new int[] {1}, new int[] {1}, 1);
            Tensor want = Convolution.conv2d(
                    xv.contiguous(), wv.contiguous(), bias.contiguous(), stride, new int[] {1}, new int[] {1}, 1);
            Golden.assertClose(want, got, 0, 0, "permuted views, stride " + stride[0]);
        }
        // a batch slice starting at a non-zero offset
        Tensor slice = Torch.randn(3, 3, 5, 5).narrow(0, 1, 2);
        Tensor w2 = Torch.randn(2, 3, 3, 3);
        Golden.assertClose(
                Convolution.conv2d(slice.contiguousCopy(), w2, null, ConvOptions.of(1, 0)),
                Convolution.conv2d(slice, w2, null, ConvOptions.of(1, 0)),
                0,
                0,
                "batch slice");
    }

    @Test
    void gradientsFlowThroughViews() {
        GradCheck.check(
                "conv2d of a transposed input",
                in -> Convolution.conv2d(in[0].transpose(2, 3), in[1], null, ConvOptions.of(2, 1)),
                Torch.randn(1, 2, 5, 4).requiresGrad(true),
                Torch.randn(3, 2, 3, 3).requiresGrad(true));
    }

    @Test
    void unbatchedInput() {
        Torch.manualSeed(4);
        Tensor x = Torch.randn(3, 6, 6);
        Tensor w = Torch.randn(4, 3, 3, 3);
        Tensor got = Convolution.conv2d(x, w, null, ConvOptions.of(1, 1));
        assertArrayEquals(new int[] {4, 6, 6}, got.shape());
        Golden.assertClose(
                Convolution.conv2d(x.unsqueeze(0), w, null, ConvOptions.of(1, 1))
                        .squeeze(0),
                got,
                0,
                0,
                "unbatched");
        Tensor x1 = Torch.randn(3, 9);
        assertArrayEquals(
                new int[] {2, 7},
                Convolution.conv1d(x1, Torch.randn(2, 3, 3), null, 1, 0, 1, 1).shape());
    }

    @Test
    void float64AndFloat32Agree() {
        Torch.manualSeed(5);
        Tensor x = Torch.randn(2, 6, 9, 7);
        Tensor w = Torch.randn(8, 3, 3, 3);
        Tensor b = Torch.randn(8);
        int[] s = {1, 1};
        int[] p = {1, 1};
        int[] d = {1, 1};
        Tensor f32 = Convolution.conv2d(x, w, b, s, p, d, 2);
        Tensor f64 = Convolution.conv2d(x.to(DType.FLOAT64), w.to(DType.FLOAT64), b.to(DType.FLOAT64), s, p, d, 2);
        Golden.assertClose(f64, f32, 1e-5, 1e-4, "f32 fast vs f64 reference");
    }

    @Test
    void noGraphWithoutGrad() {
        Tensor out = Convolution.conv2d(Torch.randn(1, 2, 4, 4), Torch.randn(2, 2, 3, 3), null, ConvOptions.of(1, 1));
        assertNull(out.gradFn());
    }

    // ---------------------------------------------------------------- bad input

    private static void assertBad(String fragment, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(
                e.getMessage().contains(fragment),
                "message '" + e.getMessage() + "' should contain '" + fragment + "'");
    }

    @Test
    void rejectsBadInput() {
        Tensor w = Torch.randn(16, 4, 3, 3);
        assertBad(
                "conv2d: input [8, 3, 32, 32] has 3 channels but weight [16, 4, 3, 3] expects 4 (groups 1)",
                () -> Convolution.conv2d(Torch.zeros(8, 3, 32, 32), w, null, ConvOptions.of(1, 1)));
        assertBad(
                "conv2d: expected input (N, C, H, W) or (C, H, W)",
                () -> Convolution.conv2d(Torch.zeros(3, 32), w, null, ConvOptions.of(1, 1)));
        assertBad(
                "weight [4, 3]",
                () -> Convolution.conv2d(Torch.zeros(1, 4, 8, 8), Torch.zeros(4, 3), null, ConvOptions.of(1, 1)));
        assertBad(
                "larger than the padded input",
                () -> Convolution.conv2d(Torch.zeros(1, 4, 2, 2), w, null, ConvOptions.of(1, 0)));
        assertBad(
                "not divisible by groups 3",
                () -> Convolution.conv2d(
                        Torch.zeros(1, 4, 8, 8),
                        Torch.zeros(6, 2, 3, 3),
                        null,
                        new int[] {1},
                        new int[] {1},
                        new int[] {1},
                        3));
        assertBad(
                "not divisible by groups 4",
                () -> Convolution.conv2d(
                        Torch.zeros(1, 8, 8, 8),
                        Torch.zeros(6, 2, 3, 3),
                        null,
                        new int[] {1},
                        new int[] {1},
                        new int[] {1},
                        4));
        assertBad(
                "bias [15] must have shape [16]",
                () -> Convolution.conv2d(Torch.zeros(1, 4, 8, 8), w, Torch.zeros(15), ConvOptions.of(1, 1)));
        assertBad(
                "stride must be >= 1",
                () -> Convolution.conv2d(
                        Torch.zeros(1, 4, 8, 8), w, null, new int[] {0}, new int[] {1}, new int[] {1}, 1));
        assertBad("padding must be >= 0", () -> ConvOptions.of(1, -1));
        assertBad("groups must be >= 1", () -> ConvOptions.of(new int[] {1}, null, null, 0));
        assertBad("needs 1 or 2 values", () -> ConvOptions.of(new int[] {1, 1, 1}, null, null, 1));
        assertBad(
                "dtype",
                () -> Convolution.conv2d(Torch.zeros(1, 4, 8, 8), w.to(DType.FLOAT64), null, ConvOptions.of(1, 1)));
        assertBad(
                "floating-point",
                () -> Convolution.conv2d(
                        Torch.zeros(DType.INT64, 1, 4, 8, 8),
                        Torch.zeros(DType.INT64, 16, 4, 3, 3),
                        null,
                        ConvOptions.of(1, 1)));
        assertBad(
                "conv1d: input [2, 3, 10] has 3 channels but weight [4, 2, 3] expects 2",
                () -> Convolution.conv1d(Torch.zeros(2, 3, 10), Torch.zeros(4, 2, 3), null, 1, 0, 1, 1));
        assertBad(
                "conv1d: kernel [4, 3, 9]",
                () -> Convolution.conv1d(Torch.zeros(2, 3, 5), Torch.zeros(4, 3, 9), null, 1, 1, 1, 1));
        assertBad(
                "conv1d: expected input (N, C, L)",
                () -> Convolution.conv1d(Torch.zeros(2, 3, 5, 5), Torch.zeros(4, 3, 3), null, 1, 0, 1, 1));
        assertBad(
                "convTranspose2d: input [1, 3, 4, 4] has 3 channels but weight [4, 2, 3, 3] expects 4",
                () -> Convolution.convTranspose2d(
                        Torch.zeros(1, 3, 4, 4),
                        Torch.zeros(4, 2, 3, 3),
                        null,
                        new int[] {1},
                        new int[] {0},
                        new int[] {0},
                        1,
                        new int[] {1}));
        assertBad(
                "outputPadding [2, 2] must be smaller than either stride",
                () -> Convolution.convTranspose2d(
                        Torch.zeros(1, 4, 4, 4),
                        Torch.zeros(4, 2, 3, 3),
                        null,
                        new int[] {2},
                        new int[] {0},
                        new int[] {2},
                        1,
                        new int[] {1}));
        assertBad(
                "empty output",
                () -> Convolution.convTranspose2d(
                        Torch.zeros(1, 4, 1, 1),
                        Torch.zeros(4, 2, 1, 1),
                        null,
                        new int[] {1},
                        new int[] {1},
                        new int[] {0},
                        1,
                        new int[] {1}));
        assertBad("must not be null", () -> Convolution.conv2d(null, w, null, ConvOptions.of(1, 1)));
    }
}
