package dev.torchlet.onnx;

import static dev.torchlet.onnx.OnnxAttributes.f;
import static dev.torchlet.onnx.OnnxAttributes.graphAttr;
import static dev.torchlet.onnx.OnnxAttributes.i;
import static dev.torchlet.onnx.OnnxAttributes.ints;
import static dev.torchlet.onnx.OnnxAttributes.s;
import static dev.torchlet.onnx.OnnxAttributes.tensorAttr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.GraphProto;
import dev.torchlet.onnx.proto.Onnx.ModelProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import dev.torchlet.onnx.proto.Onnx.OperatorSetIdProto;
import dev.torchlet.onnx.proto.Onnx.TensorProto;
import dev.torchlet.onnx.proto.Onnx.TypeProto;
import dev.torchlet.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Einsum, the int8 operators (QuantizeLinear, DequantizeLinear, QLinearMatMul, QLinearConv, ConvInteger) and the
 * control-flow operators (If, Loop) on the examples of the ONNX specification's operator documentation (onnx 1.12,
 * onnx/backend/test/case/node/*.py), with their expected outputs written out here. Where the spec draws random
 * inputs (Einsum), the expected values are the spec's reference (numpy.einsum) written as plain loops.
 */
class OnnxOperatorSpec2Test {
    private static final float TOL = 1e-5f;

    // ---------------------------------------------------------------- building nodes and graphs

    private static NodeProto node(String op, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder()
                .setOpType(op)
                .setName(op.toLowerCase())
                .addAllInput(inputs)
                .addAllOutput(outputs);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    /** Runs one node; inputTypes gives the ONNX element type of each input (0: not known). */
    private static Tensor[] runTyped(String op, int opset, Tensor[] inputs, int[] inputTypes, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase());
        for (int k = 0; k < inputs.length; k++) {
            n.addInput(inputs[k] == null ? "" : "in" + k);
        }
        n.addOutput("out");
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return OnnxOps.OPS.get(op).apply(new OnnxNode(n.build(), opset, inputTypes, Map.of()), inputs, false);
    }

    private static Tensor run(String op, int opset, Tensor[] inputs, AttributeProto... attrs) {
        return runTyped(op, opset, inputs, new int[0], attrs)[0];
    }

    private static int[] types(int... t) {
        return t;
    }

    private static TensorProto tensor(String name, int type, long[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(type)
                .addAllDims(Arrays.stream(dims).boxed().toList());
        for (long v : values) {
            if (type == OnnxTensors.INT64) {
                t.addInt64Data(v);
            } else {
                t.addInt32Data((int) v);
            }
        }
        return t.build();
    }

    private static TensorProto floats(String name, float[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(OnnxTensors.FLOAT)
                .addAllDims(Arrays.stream(dims).boxed().toList());
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    private static ValueInfoProto value(String name, int elemType) {
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType)))
                .build();
    }

    private static GraphProto graph(String name, List<NodeProto> nodes, List<ValueInfoProto> in, List<String> out) {
        return GraphProto.newBuilder()
                .setName(name)
                .addAllNode(nodes)
                .addAllInput(in)
                .addAllOutput(out.stream().map(o -> value(o, 0)).toList())
                .build();
    }

    private static OnnxModel model(int opset, GraphProto g) throws IOException {
        byte[] bytes = ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset))
                .setGraph(g)
                .build()
                .toByteArray();
        return OnnxModel.load(bytes, null, g.getName() + ".onnx");
    }

    private static Tensor randn(Random r, int... shape) {
        float[] v = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) r.nextGaussian();
        }
        return Torch.tensor(v, shape);
    }

    private static Tensor u8(long[] v, int... shape) {
        return Torch.tensor(v, shape);
    }

    // ---------------------------------------------------------------- Einsum

    @Test
    void einsumTransposeAndSumAsInTheSpec() {
        Random r = new Random(1);
        Tensor x = randn(r, 3, 4);
        float[] xv = x.toFloatArray();
        // einsum_transpose: 'ij->ji'
        Tensor y = run("Einsum", 12, new Tensor[] {x}, s("equation", "ij->ji"));
        assertArrayEquals(new int[] {4, 3}, y.shape());
        float[] expected = new float[12];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                expected[j * 3 + i] = xv[i * 4 + j];
            }
        }
        assertArrayEquals(expected, y.toFloatArray(), TOL);
        // einsum_sum: 'ij->i'
        Tensor z = run("Einsum", 12, new Tensor[] {x}, s("equation", "ij->i"));
        float[] sums = new float[3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                sums[i] += xv[i * 4 + j];
            }
        }
        assertArrayEquals(sums, z.toFloatArray(), TOL);
    }

    @Test
    void einsumBatchDiagonalAsInTheSpec() {
        // einsum_batch_diagonal: '...ii ->...i' on (3, 5, 5)
        Tensor x = randn(new Random(2), 3, 5, 5);
        float[] xv = x.toFloatArray();
        Tensor y = run("Einsum", 12, new Tensor[] {x}, s("equation", "...ii ->...i"));
        assertArrayEquals(new int[] {3, 5}, y.shape());
        float[] expected = new float[15];
        for (int b = 0; b < 3; b++) {
            for (int i = 0; i < 5; i++) {
                expected[b * 5 + i] = xv[b * 25 + i * 5 + i];
            }
        }
        assertArrayEquals(expected, y.toFloatArray(), TOL);
        // and the trace, implicit output: 'ii' -> a scalar
        Tensor trace = run("Einsum", 12, new Tensor[] {x.select(0, 1)}, s("equation", "ii"));
        assertEquals(0, trace.dim());
        float t = 0;
        for (int i = 0; i < 5; i++) {
            t += xv[25 + i * 5 + i];
        }
        assertEquals(t, trace.item(), TOL);
    }

    @Test
    void einsumInnerProductAndBatchMatmulAsInTheSpec() {
        Random r = new Random(3);
        // einsum_inner_prod: 'i,i' (implicit: a scalar)
        Tensor x = randn(r, 5);
        Tensor y = randn(r, 5);
        Tensor z = run("Einsum", 12, new Tensor[] {x, y}, s("equation", "i,i"));
        float dot = 0;
        for (int i = 0; i < 5; i++) {
            dot += x.toFloatArray()[i] * y.toFloatArray()[i];
        }
        assertEquals(0, z.dim());
        assertEquals(dot, z.item(), TOL);
        // einsum_batch_matmul: 'bij, bjk -> bik' on (5, 2, 3) and (5, 3, 4)
        Tensor a = randn(r, 5, 2, 3);
        Tensor b = randn(r, 5, 3, 4);
        Tensor c = run("Einsum", 12, new Tensor[] {a, b}, s("equation", "bij, bjk -> bik"));
        assertArrayEquals(new int[] {5, 2, 4}, c.shape());
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        float[] expected = new float[40];
        for (int n = 0; n < 5; n++) {
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < 3; j++) {
                        expected[n * 8 + i * 4 + k] += av[n * 6 + i * 3 + j] * bv[n * 12 + j * 4 + k];
                    }
                }
            }
        }
        assertArrayEquals(expected, c.toFloatArray(), TOL);
    }

    @Test
    void einsumThreeOperandsBroadcastEllipsisAndImplicitOrder() {
        Random r = new Random(4);
        // 'ij,jk,kl->il' == a @ b @ c
        Tensor a = randn(r, 2, 3);
        Tensor b = randn(r, 3, 4);
        Tensor c = randn(r, 4, 5);
        Tensor y = run("Einsum", 12, new Tensor[] {a, b, c}, s("equation", "ij,jk,kl->il"));
        assertArrayEquals(a.matmul(b).matmul(c).toFloatArray(), y.toFloatArray(), TOL);
        // implicit output in alphabetical order: 'kj,ji' -> 'ik' (the transpose of the product)
        Tensor p = randn(r, 4, 3);
        Tensor q = randn(r, 3, 2);
        Tensor ik = run("Einsum", 12, new Tensor[] {p, q}, s("equation", "kj,ji"));
        assertArrayEquals(p.matmul(q).t().contiguous().toFloatArray(), ik.toFloatArray(), TOL);
        // '...' broadcasts: (2, 1, 3, 4) and (5, 4, 2) -> (2, 5, 3, 2)
        Tensor u = randn(r, 2, 1, 3, 4);
        Tensor v = randn(r, 5, 4, 2);
        Tensor w = run("Einsum", 12, new Tensor[] {u, v}, s("equation", "...ij,...jk->...ik"));
        assertArrayEquals(new int[] {2, 5, 3, 2}, w.shape());
        assertArrayEquals(u.matmul(v).toFloatArray(), w.toFloatArray(), TOL);
        // an outer product with a sum over a label only one operand has: 'ij,k->ik' = rowsum(a) x c
        Tensor s = randn(r, 6);
        Tensor outer = run("Einsum", 12, new Tensor[] {a, s}, s("equation", "ij,k->ik"));
        assertArrayEquals(a.sum(1, true).mul(s.reshape(1, 6)).toFloatArray(), outer.toFloatArray(), TOL);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> run("Einsum", 12, new Tensor[] {a, b}, s("equation", "ij,kl->im")));
        assertTrue(e.getMessage().contains("'m' is in no input"), e.getMessage());
    }

    @Test
    void einsumGradientMatchesFiniteDifferences() {
        Random r = new Random(5);
        Tensor a = randn(r, 2, 3, 3).to(dev.torchlet.DType.FLOAT64).requiresGrad(true);
        Tensor b = randn(r, 3, 4).to(dev.torchlet.DType.FLOAT64).requiresGrad(true);
        // a diagonal, a contraction and a batch label at once: 'bii,ik->bk'
        java.util.function.Supplier<Tensor> loss =
                () -> OnnxEinsum.einsum("bii,ik->bk", a, b).pow(2f).sum();
        loss.get().backward();
        for (Tensor p : List.of(a, b)) {
            double[] analytic = p.grad().toDoubleArray();
            double[] values = p.toDoubleArray();
            for (int i = 0; i < values.length; i++) {
                double[] f = new double[2];
                for (int side = 0; side < 2; side++) {
                    double[] moved = values.clone();
                    moved[i] += side == 0 ? 1e-6 : -1e-6;
                    Tensor q = Torch.tensor(moved, p.shape());
                    f[side] = (p == a
                                    ? OnnxEinsum.einsum("bii,ik->bk", q, b.detach())
                                    : OnnxEinsum.einsum("bii,ik->bk", a.detach(), q))
                            .pow(2f)
                            .sum()
                            .itemDouble();
                }
                double numeric = (f[0] - f[1]) / 2e-6;
                assertEquals(numeric, analytic[i], 1e-6 * Math.max(1, Math.abs(numeric)), "d loss / d[" + i + "]");
            }
        }
    }

    // ---------------------------------------------------------------- int8 operators

    @Test
    void quantizeLinearAsInTheSpec() {
        // quantizelinear: uint8, scale 2, zero point 128; 1.5 rounds to 2 (half to even), 1000 saturates
        Tensor x = Torch.tensor(new float[] {0, 2, 3, 1000, -254, -1000}, 6);
        Tensor[] in = {x, Torch.tensor(new float[] {2f}), Torch.tensor(new long[] {128})};
        Tensor y = runTyped("QuantizeLinear", 13, in, types(1, 1, OnnxTensors.UINT8))[0];
        assertArrayEquals(new long[] {128, 129, 130, 255, 1, 0}, y.toLongArray());
        // the same with an int8 zero point of -1: -128..127
        Tensor[] in8 = {x, Torch.tensor(new float[] {2f}), Torch.tensor(new long[] {-1})};
        Tensor y8 = runTyped("QuantizeLinear", 13, in8, types(1, 1, OnnxTensors.INT8))[0];
        assertArrayEquals(new long[] {-1, 0, 1, 127, -128, -128}, y8.toLongArray());
        // no zero point: uint8 with zero point 0
        Tensor y0 = runTyped("QuantizeLinear", 10, new Tensor[] {x, in[1]}, types(1, 1))[0];
        assertArrayEquals(new long[] {0, 1, 2, 255, 0, 0}, y0.toLongArray());
    }

    @Test
    void quantizeLinearPerAxisAsInTheSpec() {
        // quantizelinear_axis: x (1, 3, 3, 2), scales [2, 4, 5], zero points [84, 24, 196] along axis 1;
        // y = x / scale + zero_point (all exact, all within 0..255)
        float[] x = {-162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44, 245, -485, -960, -270, -375, -470};
        Tensor[] in = {
            Torch.tensor(x, 1, 3, 3, 2),
            Torch.tensor(new float[] {2, 4, 5}, 3),
            Torch.tensor(new long[] {84, 24, 196}, 3)
        };
        Tensor y = runTyped("QuantizeLinear", 13, in, types(1, 1, OnnxTensors.UINT8))[0];
        assertArrayEquals(
                new long[] {3, 89, 34, 200, 74, 59, 5, 24, 24, 87, 32, 13, 245, 99, 4, 142, 121, 102}, y.toLongArray());
        // and DequantizeLinear takes dequantizelinear_axis's x (these values) back: (x - zp) * scale
        Tensor back = run("DequantizeLinear", 13, new Tensor[] {y, in[1], in[2]});
        float[] expected = {-162, 10, -100, 232, -20, -50, -76, 0, 0, 252, 32, -44, 245, -485, -960, -270, -375, -470};
        assertArrayEquals(expected, back.toFloatArray(), TOL);
    }

    @Test
    void dequantizeLinearAsInTheSpec() {
        Tensor[] in = {
            u8(new long[] {0, 3, 128, 255}, 4), Torch.tensor(new float[] {2f}), Torch.tensor(new long[] {128})
        };
        assertArrayEquals(
                new float[] {-256, -250, 0, 254},
                run("DequantizeLinear", 13, in).toFloatArray(),
                TOL);
    }

    @Test
    void qLinearMatMulAsInTheSpec() {
        long[] a = {208, 236, 0, 238, 3, 214, 255, 29};
        long[] b = {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247};
        long[] expected = {168, 115, 255, 1, 66, 151};
        Tensor[] in = {
            u8(a, 2, 4),
            Torch.tensor(new float[] {0.0066f}, 1),
            u8(new long[] {113}, 1),
            u8(b, 4, 3),
            Torch.tensor(new float[] {0.00705f}, 1),
            u8(new long[] {114}, 1),
            Torch.tensor(new float[] {0.0107f}, 1),
            u8(new long[] {118}, 1)
        };
        int[] t = types(2, 1, 2, 2, 1, 2, 1, 2);
        assertArrayEquals(expected, runTyped("QLinearMatMul", 10, in, t)[0].toLongArray());
        // qlinearmatmul_3D: the same matrices twice along a batch dim
        Tensor[] in3 = in.clone();
        in3[0] = Torch.stack(List.of(in[0], in[0]), 0);
        in3[3] = Torch.stack(List.of(in[3], in[3]), 0);
        Tensor y3 = runTyped("QLinearMatMul", 10, in3, t)[0];
        assertArrayEquals(new int[] {2, 2, 3}, y3.shape());
        long[] twice = new long[12];
        System.arraycopy(expected, 0, twice, 0, 6);
        System.arraycopy(expected, 0, twice, 6, 6);
        assertArrayEquals(twice, y3.toLongArray());
    }

    @Test
    void qLinearConvAsInTheSpec() {
        long[] x = {
            255, 174, 162, 25, 203, 168, 58, 15, 59, 237, 95, 129, 0, 64, 56, 242, 153, 221, 168, 12, 166, 232, 178,
            186, 195, 237, 162, 237, 188, 39, 124, 77, 80, 102, 43, 127, 230, 21, 83, 41, 40, 134, 255, 154, 92, 141,
            42, 148, 247
        };
        long[] expected = {
            0, 81, 93, 230, 52, 87, 197, 240, 196, 18, 160, 126, 255, 191, 199, 13, 102, 34, 87, 243, 89, 23, 77, 69,
            60, 18, 93, 18, 67, 216, 131, 178, 175, 153, 212, 128, 25, 234, 172, 214, 215, 121, 0, 101, 163, 114, 213,
            107, 8
        };
        Tensor[] in = {
            u8(x, 1, 1, 7, 7),
            Torch.tensor(new float[] {0.00369204697f}),
            Torch.tensor(new long[] {132}),
            u8(new long[] {0}, 1, 1, 1, 1),
            Torch.tensor(new float[] {0.00172794575f}, 1),
            u8(new long[] {255}, 1),
            Torch.tensor(new float[] {0.00162681262f}),
            Torch.tensor(new long[] {123})
        };
        Tensor y = runTyped("QLinearConv", 10, in, types(2, 1, 2, 2, 1, 2, 1, 2))[0];
        assertArrayEquals(new int[] {1, 1, 7, 7}, y.shape());
        assertArrayEquals(expected, y.toLongArray());
    }

    @Test
    void convIntegerAsInTheSpec() {
        Tensor x = u8(new long[] {2, 3, 4, 5, 6, 7, 8, 9, 10}, 1, 1, 3, 3);
        Tensor w = u8(new long[] {1, 1, 1, 1}, 1, 1, 2, 2);
        Tensor zp = Torch.tensor(new long[] {1});
        assertArrayEquals(
                new long[] {12, 16, 24, 28},
                run("ConvInteger", 10, new Tensor[] {x, w, zp}).toLongArray());
        Tensor padded = run("ConvInteger", 10, new Tensor[] {x, w, zp}, ints("pads", 1, 1, 1, 1));
        assertArrayEquals(new int[] {1, 1, 4, 4}, padded.shape());
        assertArrayEquals(new long[] {1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}, padded.toLongArray());
    }

    @Test
    void quantizedOutputTypeFollowsTheZeroPointInitializerThroughAGraph() throws IOException {
        // x -> QuantizeLinear(scale 2, zp 0) -> Identity -> DequantizeLinear: with an INT8 zero-point initializer q
        // saturates at -128..127, with a UINT8 one at 0..255; -3 / 2 = -1.5 rounds to -2 (half to even)
        for (int type : new int[] {OnnxTensors.INT8, OnnxTensors.UINT8}) {
            GraphProto g = graph(
                            "qdq",
                            List.of(
                                    node("QuantizeLinear", List.of("x", "scale", "zp"), List.of("q")),
                                    node("Identity", List.of("q"), List.of("q2")),
                                    node("DequantizeLinear", List.of("q2", "scale", "zp"), List.of("y"))),
                            List.of(value("x", OnnxTensors.FLOAT)),
                            List.of("y", "q2"))
                    .toBuilder()
                    .addInitializer(floats("scale", new float[] {2f}))
                    .addInitializer(tensor("zp", type, new long[] {0}))
                    .build();
            OnnxModel m = model(13, g);
            Map<String, Tensor> out = m.run(Map.of("x", Torch.tensor(new float[] {-1000, -3, 5, 1000}, 4)));
            long[] expected = type == OnnxTensors.INT8 ? new long[] {-128, -2, 2, 127} : new long[] {0, 0, 2, 255};
            assertArrayEquals(expected, out.get("q2").toLongArray(), OnnxTensors.typeName(type));
        }
    }

    // ---------------------------------------------------------------- If and Loop

    /** The spec's If example: then_branch gives [1, 2, 3, 4, 5], else_branch [5, 4, 3, 2, 1]. */
    private static GraphProto ifGraph() {
        GraphProto thenBody = graph(
                "then_body",
                List.of(node(
                        "Constant",
                        List.of(),
                        List.of("then_out"),
                        tensorAttr("value", floats("", new float[] {1, 2, 3, 4, 5}, 5)))),
                List.of(),
                List.of("then_out"));
        GraphProto elseBody = graph(
                "else_body",
                List.of(node(
                        "Constant",
                        List.of(),
                        List.of("else_out"),
                        tensorAttr("value", floats("", new float[] {5, 4, 3, 2, 1}, 5)))),
                List.of(),
                List.of("else_out"));
        return graph(
                "if",
                List.of(node(
                        "If",
                        List.of("cond"),
                        List.of("res"),
                        graphAttr("then_branch", thenBody),
                        graphAttr("else_branch", elseBody))),
                List.of(value("cond", OnnxTensors.BOOL)),
                List.of("res"));
    }

    @Test
    void ifAsInTheSpec() throws IOException {
        OnnxModel m = model(11, ifGraph());
        Tensor yes = m.run(Map.of("cond", Torch.tensor(new boolean[] {true}))).get("res");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5}, yes.toFloatArray());
        Tensor no = m.run(Map.of("cond", Torch.tensor(new boolean[] {false}))).get("res");
        assertArrayEquals(new float[] {5, 4, 3, 2, 1}, no.toFloatArray());
    }

    @Test
    void ifBranchesReadOuterValuesAndPassGradients() throws IOException {
        // res = cond ? x * x : -x, with x a graph input the branches read from the outer scope
        GraphProto thenBody =
                graph("then", List.of(node("Mul", List.of("x", "x"), List.of("sq"))), List.of(), List.of("sq"));
        GraphProto elseBody =
                graph("else", List.of(node("Neg", List.of("x"), List.of("neg"))), List.of(), List.of("neg"));
        GraphProto g = graph(
                "if_outer",
                List.of(node(
                        "If",
                        List.of("cond"),
                        List.of("res"),
                        graphAttr("then_branch", thenBody),
                        graphAttr("else_branch", elseBody))),
                List.of(value("cond", OnnxTensors.BOOL), value("x", OnnxTensors.FLOAT)),
                List.of("res"));
        OnnxModel m = model(13, g);
        Tensor x = Torch.tensor(new float[] {1.5f, -2f}, 2).requiresGrad(true);
        Tensor res = m.run(Map.of("cond", Torch.tensor(new boolean[] {true}), "x", x))
                .get("res");
        assertArrayEquals(new float[] {2.25f, 4f}, res.toFloatArray());
        res.sum().backward();
        assertArrayEquals(new float[] {3f, -4f}, x.grad().toFloatArray(), TOL);
        Tensor neg = m.run(Map.of("cond", Torch.tensor(new boolean[] {false}), "x", x))
                .get("res");
        assertArrayEquals(new float[] {-1.5f, 2f}, neg.toFloatArray());
    }

    /**
     * The spec's loop_11 body: y_out = y_in + x[i : i + 1], scan_out = y_out, cond passed through; x is a Constant
     * inside the body, or (outerX) a value of the enclosing graph.
     */
    private static GraphProto loopGraph(boolean outerX) {
        List<NodeProto> body = new java.util.ArrayList<>(List.of(
                node("Identity", List.of("cond_in"), List.of("cond_out")),
                node(
                        "Constant",
                        List.of(),
                        List.of("one"),
                        tensorAttr("value", tensor("", OnnxTensors.INT64, new long[] {1}))),
                node("Add", List.of("iter_count", "one"), List.of("end")),
                node("Unsqueeze", List.of("iter_count"), List.of("slice_start"), ints("axes", 0)),
                node("Unsqueeze", List.of("end"), List.of("slice_end"), ints("axes", 0)),
                node("Slice", List.of("x", "slice_start", "slice_end"), List.of("slice_out")),
                node("Add", List.of("y_in", "slice_out"), List.of("y_out")),
                node("Identity", List.of("y_out"), List.of("scan_out"))));
        if (!outerX) {
            body.add(
                    1,
                    node(
                            "Constant",
                            List.of(),
                            List.of("x"),
                            tensorAttr("value", floats("", new float[] {1, 2, 3, 4, 5}, 5))));
        }
        GraphProto loopBody = graph(
                "loop_body",
                body,
                List.of(
                        value("iter_count", OnnxTensors.INT64),
                        value("cond_in", OnnxTensors.BOOL),
                        value("y_in", OnnxTensors.FLOAT)),
                List.of("cond_out", "y_out", "scan_out"));
        List<ValueInfoProto> inputs = new java.util.ArrayList<>(List.of(
                value("trip_count", OnnxTensors.INT64),
                value("cond", OnnxTensors.BOOL),
                value("y", OnnxTensors.FLOAT)));
        if (outerX) {
            inputs.add(value("x", OnnxTensors.FLOAT));
        }
        return graph(
                "loop",
                List.of(node(
                        "Loop",
                        List.of("trip_count", "cond", "y"),
                        List.of("res_y", "res_scan"),
                        graphAttr("body", loopBody))),
                inputs,
                List.of("res_y", "res_scan"));
    }

    @Test
    void loopAsInTheSpec() throws IOException {
        OnnxModel m = model(11, loopGraph(false));
        Map<String, Tensor> out = m.run(Map.of(
                "trip_count", Torch.tensor(new long[] {5}),
                "cond", Torch.tensor(new boolean[] {true}),
                "y", Torch.tensor(new float[] {-2}, 1)));
        assertArrayEquals(new float[] {13}, out.get("res_y").toFloatArray());
        assertArrayEquals(new int[] {5, 1}, out.get("res_scan").shape());
        assertArrayEquals(new float[] {-1, 1, 4, 8, 13}, out.get("res_scan").toFloatArray());
        // a false condition runs no iteration: y unchanged
        Map<String, Tensor> none = m.run(Map.of(
                "trip_count", Torch.tensor(new long[] {5}),
                "cond", Torch.tensor(new boolean[] {false}),
                "y", Torch.tensor(new float[] {-2}, 1)));
        assertArrayEquals(new float[] {-2}, none.get("res_y").toFloatArray());
        assertArrayEquals(new int[] {0}, none.get("res_scan").shape(), "no iterations: an empty scan");
    }

    @Test
    void loopBodyReadsAnOuterValueAndGradientsFlowThroughIterations() throws IOException {
        OnnxModel m = model(11, loopGraph(true));
        Tensor x = Torch.tensor(new float[] {1, 2, 3, 4, 5}, 5).requiresGrad(true);
        Map<String, Tensor> out = m.run(Map.of(
                "trip_count", Torch.tensor(new long[] {3}),
                "cond", Torch.tensor(new boolean[] {true}),
                "y", Torch.tensor(new float[] {-2}, 1),
                "x", x));
        assertArrayEquals(new float[] {4}, out.get("res_y").toFloatArray()); // -2 + 1 + 2 + 3
        assertArrayEquals(new float[] {-1, 1, 4}, out.get("res_scan").toFloatArray());
        out.get("res_scan").sum().backward(); // d/dx_k sum of prefix sums 1..3: 3, 2, 1, 0, 0
        assertArrayEquals(new float[] {3, 2, 1, 0, 0}, x.grad().toFloatArray(), TOL);
    }

    @Test
    void unsupportedOperatorsInsideSubgraphsAreListedAtLoad() {
        GraphProto body = graph("then", List.of(node("FancyOp", List.of("x"), List.of("y"))), List.of(), List.of("y"));
        GraphProto g = graph(
                "bad_if",
                List.of(node(
                        "If",
                        List.of("cond"),
                        List.of("res"),
                        graphAttr("then_branch", body),
                        graphAttr("else_branch", body))),
                List.of(value("cond", OnnxTensors.BOOL), value("x", OnnxTensors.FLOAT)),
                List.of("res"));
        var e = assertThrows(IOException.class, () -> model(13, g));
        assertTrue(e.getMessage().contains("2 unsupported operator node(s): FancyOp"), e.getMessage());
    }

    // ---------------------------------------------------------------- Resize, cubic mode

    /** The spec's Resize input: (1, 1, 4, 4) holding 1..16. */
    private static Tensor resizeData() {
        float[] v = new float[16];
        for (int k = 0; k < 16; k++) {
            v[k] = k + 1;
        }
        return Torch.tensor(v, 1, 1, 4, 4);
    }

    private static Tensor cubic(String coordinates, float[] scales, long[] sizes, AttributeProto... extra) {
        AttributeProto[] attrs = Arrays.copyOf(extra, extra.length + 2);
        attrs[extra.length] = s("mode", "cubic");
        attrs[extra.length + 1] = s("coordinate_transformation_mode", coordinates);
        Tensor[] in = {
            resizeData(),
            null,
            scales == null ? null : Torch.tensor(scales, scales.length),
            sizes == null ? null : Torch.tensor(sizes, sizes.length)
        };
        return run("Resize", 13, in, attrs);
    }

    @Test
    void upsampleScalesCubicAsInTheSpec() {
        // resize_upsample_scales_cubic (values from the spec's comment, which its reference implementation prints)
        float[] expected = {
            0.47265625f,
            0.76953125f,
            1.24609375f,
            1.875f,
            2.28125f,
            2.91015625f,
            3.38671875f,
            3.68359375f,
            1.66015625f,
            1.95703125f,
            2.43359375f,
            3.0625f,
            3.46875f,
            4.09765625f,
            4.57421875f,
            4.87109375f,
            3.56640625f,
            3.86328125f,
            4.33984375f,
            4.96875f,
            5.375f,
            6.00390625f,
            6.48046875f,
            6.77734375f,
            6.08203125f,
            6.37890625f,
            6.85546875f,
            7.484375f,
            7.890625f,
            8.51953125f,
            8.99609375f,
            9.29296875f,
            7.70703125f,
            8.00390625f,
            8.48046875f,
            9.109375f,
            9.515625f,
            10.14453125f,
            10.62109375f,
            10.91796875f,
            10.22265625f,
            10.51953125f,
            10.99609375f,
            11.625f,
            12.03125f,
            12.66015625f,
            13.13671875f,
            13.43359375f,
            12.12890625f,
            12.42578125f,
            12.90234375f,
            13.53125f,
            13.9375f,
            14.56640625f,
            15.04296875f,
            15.33984375f,
            13.31640625f,
            13.61328125f,
            14.08984375f,
            14.71875f,
            15.125f,
            15.75390625f,
            16.23046875f,
            16.52734375f
        };
        Tensor y = cubic("half_pixel", new float[] {1, 1, 2, 2}, null);
        assertArrayEquals(new int[] {1, 1, 8, 8}, y.shape());
        assertArrayEquals(expected, y.toFloatArray(), 2e-5f);
    }

    @Test
    void upsampleScalesCubicAlignCornersAsInTheSpec() {
        // resize_upsample_scales_cubic_align_corners (values from the spec's comment, which its reference
        // implementation prints)
        float[] expected = {
            1f,
            1.34110787f,
            1.80029155f,
            2.32944606f,
            2.67055394f,
            3.19970845f,
            3.65889213f,
            4f,
            2.36443149f,
            2.70553936f,
            3.16472303f,
            3.69387755f,
            4.03498542f,
            4.56413994f,
            5.02332362f,
            5.36443149f,
            4.20116618f,
            4.54227405f,
            5.00145773f,
            5.53061224f,
            5.87172012f,
            6.40087464f,
            6.86005831f,
            7.20116618f,
            6.31778426f,
            6.65889213f,
            7.1180758f,
            7.64723032f,
            7.98833819f,
            8.51749271f,
            8.97667638f,
            9.31778426f,
            7.68221574f,
            8.02332362f,
            8.48250729f,
            9.01166181f,
            9.35276968f,
            9.8819242f,
            10.34110787f,
            10.68221574f,
            9.79883382f,
            10.13994169f,
            10.59912536f,
            11.12827988f,
            11.46938776f,
            11.99854227f,
            12.45772595f,
            12.79883382f,
            11.63556851f,
            11.97667638f,
            12.43586006f,
            12.96501458f,
            13.30612245f,
            13.83527697f,
            14.29446064f,
            14.63556851f,
            13f,
            13.34110787f,
            13.80029155f,
            14.32944606f,
            14.67055394f,
            15.19970845f,
            15.65889213f,
            16f
        };
        Tensor y = cubic("align_corners", new float[] {1, 1, 2, 2}, null);
        assertArrayEquals(new int[] {1, 1, 8, 8}, y.shape());
        assertArrayEquals(expected, y.toFloatArray(), 2e-5f);
    }

    @Test
    void downsampleScalesCubicAsInTheSpec() {
        // resize_downsample_scales_cubic (values from the spec's comment, which its reference implementation prints)
        float[] expected = {
            1.47119141f,
            2.78125f,
            4.08251953f,
            6.71142578f,
            8.02148438f,
            9.32275391f,
            11.91650391f,
            13.2265625f,
            14.52783203f
        };
        Tensor y = cubic("half_pixel", new float[] {1, 1, 0.8f, 0.8f}, null);
        assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
        assertArrayEquals(expected, y.toFloatArray(), 2e-5f);
    }

    @Test
    void upsampleSizesCubicAsInTheSpec() {
        // resize_upsample_sizes_cubic (values from the spec's comment, which its reference implementation prints)
        float[] expected = {
            0.45507922f,
            0.64057922f,
            0.97157922f,
            1.42257922f,
            1.90732922f,
            2.22332922f,
            2.70807922f,
            3.15907922f,
            3.49007922f,
            3.67557922f,
            1.39437963f,
            1.57987963f,
            1.91087963f,
            2.36187963f,
            2.84662963f,
            3.16262963f,
            3.64737963f,
            4.09837963f,
            4.42937963f,
            4.61487963f,
            2.95130693f,
            3.13680693f,
            3.46780693f,
            3.91880693f,
            4.40355693f,
            4.71955693f,
            5.20430693f,
            5.65530693f,
            5.98630693f,
            6.17180693f,
            5.20525069f,
            5.39075069f,
            5.72175069f,
            6.17275069f,
            6.65750069f,
            6.97350069f,
            7.45825069f,
            7.90925069f,
            8.24025069f,
            8.42575069f,
            6.88975f,
            7.07525f,
            7.40625f,
            7.85725f,
            8.342f,
            8.658f,
            9.14275f,
            9.59375f,
            9.92475f,
            10.11025f,
            8.57424931f,
            8.75974931f,
            9.09074931f,
            9.54174931f,
            10.02649931f,
            10.34249931f,
            10.82724931f,
            11.27824931f,
            11.60924931f,
            11.79474931f,
            10.82819307f,
            11.01369307f,
            11.34469307f,
            11.79569307f,
            12.28044307f,
            12.59644307f,
            13.08119307f,
            13.53219307f,
            13.86319307f,
            14.04869307f,
            12.38512037f,
            12.57062037f,
            12.90162037f,
            13.35262037f,
            13.83737037f,
            14.15337037f,
            14.63812037f,
            15.08912037f,
            15.42012037f,
            15.60562037f,
            13.32442078f,
            13.50992078f,
            13.84092078f,
            14.29192078f,
            14.77667078f,
            15.09267078f,
            15.57742078f,
            16.02842078f,
            16.35942078f,
            16.54492078f
        };
        Tensor y = cubic("half_pixel", null, new long[] {1, 1, 9, 10});
        assertArrayEquals(new int[] {1, 1, 9, 10}, y.shape());
        assertArrayEquals(expected, y.toFloatArray(), 2e-5f);
    }

    @Test
    void downsampleSizesCubicAsInTheSpec() {
        // resize_downsample_sizes_cubic (values from the spec's comment, which its reference implementation prints)
        float[] expected = {
            1.63078704f,
            3.00462963f,
            4.37847222f,
            7.12615741f,
            8.5f,
            9.87384259f,
            12.62152778f,
            13.99537037f,
            15.36921296f
        };
        Tensor y = cubic("half_pixel", null, new long[] {1, 1, 3, 3});
        assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
        assertArrayEquals(expected, y.toFloatArray(), 2e-5f);
    }

    @Test
    void upsampleScalesCubicAN0p5ExcludeOutsideAsInTheSpec() {
        // resize_upsample_scales_cubic_A_n0p5_exclude_outside (values from the spec's comment, which its reference
        // implementation prints)
        float[] expected = {
            0.55882353f,
            0.81494204f,
            1.35698249f,
            1.89705882f,
            2.39705882f,
            2.93713516f,
            3.47917561f,
            3.73529412f,
            1.58329755f,
            1.83941606f,
            2.38145651f,
            2.92153285f,
            3.42153285f,
            3.96160918f,
            4.50364964f,
            4.75976814f,
            3.75145936f,
            4.00757787f,
            4.54961832f,
            5.08969466f,
            5.58969466f,
            6.12977099f,
            6.67181144f,
            6.92792995f,
            5.91176471f,
            6.16788321f,
            6.70992366f,
            7.25f,
            7.75f,
            8.29007634f,
            8.83211679f,
            9.08823529f,
            7.91176471f,
            8.16788321f,
            8.70992366f,
            9.25f,
            9.75f,
            10.29007634f,
            10.83211679f,
            11.08823529f,
            10.07207005f,
            10.32818856f,
            10.87022901f,
            11.41030534f,
            11.91030534f,
            12.45038168f,
            12.99242213f,
            13.24854064f,
            12.24023186f,
            12.49635036f,
            13.03839082f,
            13.57846715f,
            14.07846715f,
            14.61854349f,
            15.16058394f,
            15.41670245f,
            13.26470588f,
            13.52082439f,
            14.06286484f,
            14.60294118f,
            15.10294118f,
            15.64301751f,
            16.18505796f,
            16.44117647f
        };
        Tensor y =
                cubic("half_pixel", new float[] {1, 1, 2, 2}, null, f("cubic_coeff_a", -0.5f), i("exclude_outside", 1));
        assertArrayEquals(new int[] {1, 1, 8, 8}, y.shape());
        assertArrayEquals(expected, y.toFloatArray(), 2e-5f);
    }

    @Test
    void upsampleScalesCubicAsymmetricAsInTheSpec() {
        // resize_upsample_scales_cubic_asymmetric (values from the spec's comment, which its reference implementation
        // prints)
        float[] expected = {
            1f, 1.40625f, 2f, 2.5f, 3f, 3.59375f, 4f, 4.09375f, 2.625f, 3.03125f, 3.625f, 4.125f, 4.625f, 5.21875f,
            5.625f, 5.71875f, 5f, 5.40625f, 6f, 6.5f, 7f, 7.59375f, 8f, 8.09375f, 7f, 7.40625f, 8f, 8.5f, 9f, 9.59375f,
            10f, 10.09375f, 9f, 9.40625f, 10f, 10.5f, 11f, 11.59375f, 12f, 12.09375f, 11.375f, 11.78125f, 12.375f,
            12.875f, 13.375f, 13.96875f, 14.375f, 14.46875f, 13f, 13.40625f, 14f, 14.5f, 15f, 15.59375f, 16f, 16.09375f,
            13.375f, 13.78125f, 14.375f, 14.875f, 15.375f, 15.96875f, 16.375f, 16.46875f
        };
        Tensor y = cubic("asymmetric", new float[] {1, 1, 2, 2}, null);
        assertArrayEquals(new int[] {1, 1, 8, 8}, y.shape());
        assertArrayEquals(expected, y.toFloatArray(), 2e-5f);
    }
}
