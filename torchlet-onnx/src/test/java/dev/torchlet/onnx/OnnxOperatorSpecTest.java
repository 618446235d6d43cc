package dev.torchlet.onnx;

import static dev.torchlet.onnx.OnnxAttributes.f;
import static dev.torchlet.onnx.OnnxAttributes.i;
import static dev.torchlet.onnx.OnnxAttributes.ints;
import static dev.torchlet.onnx.OnnxAttributes.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.onnx.proto.Onnx.AttributeProto;
import dev.torchlet.onnx.proto.Onnx.NodeProto;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Operators on the examples of the ONNX specification's operator documentation (Operators.md), rewritten here
 * with their expected outputs, plus the attribute forms of older opsets.
 */
class OnnxOperatorSpecTest {
    private static final float TOL = 1e-6f;

    private static Tensor run(String op, int opset, Tensor[] inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase());
        for (int k = 0; k < inputs.length; k++) {
            n.addInput(inputs[k] == null ? "" : "in" + k);
        }
        n.addOutput("out");
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return OnnxOps.OPS.get(op).apply(new OnnxNode(n.build(), opset), inputs, false)[0];
    }

    private static Tensor f32(float[] v, int... shape) {
        return Torch.tensor(v, shape);
    }

    private static Tensor i64(long... v) {
        return Torch.tensor(v, v.length);
    }

    private static float[] range(int n) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = k;
        }
        return v;
    }

    @Test
    void sliceAsInTheSpec() {
        // slice: x (20, 10, 5), starts [0, 0], ends [3, 10], axes [0, 1], steps [1, 1] -> x[0:3, 0:10]
        Tensor x = f32(range(1000), 20, 10, 5);
        Tensor y = run("Slice", 13, new Tensor[] {x, i64(0, 0), i64(3, 10), i64(0, 1), i64(1, 1)});
        assertArrayEquals(new int[] {3, 10, 5}, y.shape());
        assertArrayEquals(Arrays.copyOf(range(1000), 150), y.toFloatArray());
        // slice_end_out_of_bounds: starts [1], ends [1000], axes [1] -> x[:, 1:1000]
        Tensor z = run("Slice", 13, new Tensor[] {x, i64(1), i64(1000), i64(1), null});
        assertArrayEquals(new int[] {20, 9, 5}, z.shape());
        // slice_neg: starts [0], ends [-1], axes [1], steps [1] -> x[:, 0:-1]
        assertArrayEquals(
                new int[] {20, 9, 5},
                run("Slice", 13, new Tensor[] {x, i64(0), i64(-1), i64(1), i64(1)})
                        .shape());
        // opset 1 attribute form
        Tensor old = run("Slice", 9, new Tensor[] {x}, ints("starts", 0, 0), ints("ends", 3, 10), ints("axes", 0, 1));
        assertArrayEquals(y.toFloatArray(), old.toFloatArray());
    }

    @Test
    void gemmAsInTheSpec() {
        // gemm_all_attributes style: alpha 0.25, beta 0.35, transA, transB, C broadcast
        Tensor a = f32(new float[] {1, 2, 3, 4, 5, 6}, 3, 2); // A^T is (2, 3)
        Tensor b = f32(new float[] {1, 0, 2, 1, 1, 0, 0, 1, 1, 2, 0, 1}, 4, 3); // B^T is (3, 4)
        Tensor c = f32(new float[] {1, 2, 3, 4}, 1, 4);
        Tensor y = run(
                "Gemm",
                13,
                new Tensor[] {a, b, c},
                f("alpha", 0.25f),
                f("beta", 0.35f),
                i("transA", 1),
                i("transB", 1));
        // A^T = [[1,3,5],[2,4,6]], B^T = [[1,1,0,2],[0,1,1,0],[2,0,1,1]]
        // A^T B^T = [[11, 4, 8, 7], [14, 6, 10, 10]]
        float[] expected = {
            11 * 0.25f + 0.35f,
            4 * 0.25f + 0.7f,
            8 * 0.25f + 1.05f,
            7 * 0.25f + 1.4f,
            14 * 0.25f + 0.35f,
            6 * 0.25f + 0.7f,
            10 * 0.25f + 1.05f,
            10 * 0.25f + 1.4f
        };
        assertArrayEquals(expected, y.toFloatArray(), 1e-5f);
    }

    @Test
    void padConstantAndNegativePadsAsInTheSpec() {
        // constant_pad: x (1, 3, 4, 5), pads [0, 0, 1, 3, 0, 0, 2, 4], value 1.2 -> (1, 3, 7, 12)
        Tensor x = f32(range(60), 1, 3, 4, 5);
        Tensor y = run(
                "Pad",
                13,
                new Tensor[] {x, i64(0, 0, 1, 3, 0, 0, 2, 4), f32(new float[] {1.2f})},
                s("mode", "constant"));
        assertArrayEquals(new int[] {1, 3, 7, 12}, y.shape());
        assertArrayEquals(new float[] {1.2f, 1.2f, 1.2f, 1.2f}, Arrays.copyOf(y.toFloatArray(), 4));
        float[] v = y.toFloatArray();
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, Arrays.copyOfRange(v, 12 + 3, 12 + 8)); // row 1, cols 3..7
        // negative pads crop; opset 2 attribute form
        Tensor cropped = run("Pad", 2, new Tensor[] {x}, ints("pads", 0, 0, -1, 0, 0, 0, 0, -2));
        assertArrayEquals(new int[] {1, 3, 3, 3}, cropped.shape());
    }

    @Test
    void softmaxAxisRulesBeforeAndAfterOpset13() {
        // softmax_example: x [[-1, 0, 1]] -> [[0.09003058, 0.24472848, 0.66524094]]
        Tensor y = run("Softmax", 13, new Tensor[] {f32(new float[] {-1, 0, 1}, 1, 3)});
        assertArrayEquals(new float[] {0.09003058f, 0.24472848f, 0.66524094f}, y.toFloatArray(), 1e-6f);
        // opset < 13, axis 1 of a (2, 2, 2) input: softmax over the 4 flattened values of each row
        Tensor x = f32(new float[] {0, 1, 2, 3, 0, 0, 0, 0}, 2, 2, 2);
        Tensor old = run("Softmax", 11, new Tensor[] {x}, i("axis", 1));
        float e = (float) (1 + Math.E + Math.exp(2) + Math.exp(3));
        assertArrayEquals(
                new float[] {
                    1 / e,
                    (float) Math.E / e,
                    (float) Math.exp(2) / e,
                    (float) Math.exp(3) / e,
                    0.25f,
                    0.25f,
                    0.25f,
                    0.25f
                },
                old.toFloatArray(),
                1e-6f);
        // opset 13 default axis -1
        Tensor last = run("Softmax", 13, new Tensor[] {x});
        assertArrayEquals(new int[] {2, 2, 2}, last.shape());
        assertArrayEquals(new float[] {0.26894142f, 0.7310586f}, Arrays.copyOf(last.toFloatArray(), 2), 1e-6f);
    }

    @Test
    void reshapeFlattenTransposeSqueezeAsInTheSpec() {
        Tensor x = f32(range(24), 2, 3, 4);
        // reshape_reordered_all_dims / zero_dim / negative_dim
        assertArrayEquals(
                new int[] {4, 2, 3},
                run("Reshape", 13, new Tensor[] {x, i64(4, 2, 3)}).shape());
        assertArrayEquals(
                new int[] {2, 3, 4},
                run("Reshape", 13, new Tensor[] {x, i64(0, 3, -1)}).shape());
        assertArrayEquals(
                new int[] {2, 12},
                run("Reshape", 13, new Tensor[] {x, i64(2, -1)}).shape());
        // flatten with axis 0 -> (1, 24), axis 2 -> (6, 4), negative axis -1 -> (6, 4)
        assertArrayEquals(
                new int[] {1, 24},
                run("Flatten", 13, new Tensor[] {x}, i("axis", 0)).shape());
        assertArrayEquals(
                new int[] {6, 4},
                run("Flatten", 13, new Tensor[] {x}, i("axis", -1)).shape());
        // transpose_default reverses; perm [1, 0, 2]
        Tensor t = run("Transpose", 13, new Tensor[] {x});
        assertArrayEquals(new int[] {4, 3, 2}, t.shape());
        assertArrayEquals(
                new float[] {0, 12, 4, 16}, Arrays.copyOf(t.contiguous().toFloatArray(), 4));
        // unsqueeze_two_axes [1, 4] on (3, 4, 5) -> (3, 1, 4, 5, 1); squeeze back; opset 11 attribute form
        Tensor u = f32(range(60), 3, 4, 5);
        Tensor up = run("Unsqueeze", 13, new Tensor[] {u, i64(1, 4)});
        assertArrayEquals(new int[] {3, 1, 4, 5, 1}, up.shape());
        assertArrayEquals(
                new int[] {3, 4, 5},
                run("Squeeze", 13, new Tensor[] {up, i64(1, -1)}).shape());
        assertArrayEquals(
                new int[] {3, 1, 4, 5, 1},
                run("Unsqueeze", 11, new Tensor[] {u}, ints("axes", 1, 4)).shape());
    }

    @Test
    void gatherClipConcatAsInTheSpec() {
        // gather_0: data (5, 4, 3), indices [0, 1, 3] on axis 0 -> rows 0, 1, 3
        Tensor data = f32(range(60), 5, 4, 3);
        Tensor g = run("Gather", 13, new Tensor[] {data, i64(0, 1, 3)});
        assertArrayEquals(new int[] {3, 4, 3}, g.shape());
        assertArrayEquals(Arrays.copyOfRange(range(60), 36, 48), Arrays.copyOfRange(g.toFloatArray(), 24, 36));
        // a scalar index drops the axis; negative indices count from the end
        Tensor scalar = run("Gather", 13, new Tensor[] {data, Torch.tensor(new long[] {-1})}, i("axis", 1)); // 0-d
        assertArrayEquals(new int[] {5, 3}, scalar.shape());
        assertArrayEquals(
                new float[] {9, 10, 11, 21}, Arrays.copyOf(scalar.contiguous().toFloatArray(), 4));
        // clip_example: [-2, 0, 2] in [-1, 1]; opset 6 attribute form
        Tensor x = f32(new float[] {-2, 0, 2}, 3);
        assertArrayEquals(
                new float[] {-1, 0, 1},
                run("Clip", 13, new Tensor[] {x, f32(new float[] {-1}), f32(new float[] {1})})
                        .toFloatArray());
        assertArrayEquals(
                new float[] {-2, 0, 1},
                run("Clip", 13, new Tensor[] {x, null, f32(new float[] {1})}).toFloatArray());
        assertArrayEquals(
                new float[] {-1, 0, 1},
                run("Clip", 6, new Tensor[] {x}, f("min", -1), f("max", 1)).toFloatArray());
        // concat on axis -1
        Tensor a = f32(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = f32(new float[] {5, 6, 7, 8}, 2, 2);
        assertArrayEquals(
                new float[] {1, 2, 5, 6, 3, 4, 7, 8},
                run("Concat", 13, new Tensor[] {a, b}, i("axis", -1)).toFloatArray());
    }

    @Test
    void poolingPaddingRulesAsInTheSpec() {
        // averagepool_2d_pads: 5x5 input 1..25, kernel 3, pads 2, count_include_pad 0 -> 7x7; corner = mean(1, 2, 6, 7)
        Tensor x = f32(range(25), 1, 1, 5, 5).add(1f);
        Tensor avg = run("AveragePool", 11, new Tensor[] {x}, ints("kernel_shape", 3, 3), ints("pads", 2, 2, 2, 2));
        assertArrayEquals(new int[] {1, 1, 7, 7}, avg.shape());
        assertArrayEquals(new float[] {1f, 1.5f, 2f}, Arrays.copyOf(avg.toFloatArray(), 3), TOL);
        // averagepool_2d_pads_count_include_pad: the corner counts 9 cells -> 1 / 9
        Tensor withPad = run(
                "AveragePool",
                11,
                new Tensor[] {x},
                ints("kernel_shape", 3, 3),
                ints("pads", 2, 2, 2, 2),
                i("count_include_pad", 1));
        assertArrayEquals(new float[] {1 / 9f}, Arrays.copyOf(withPad.toFloatArray(), 1), TOL);
        // maxpool_2d_same_upper: 5x5, kernel 3, strides 2, SAME_UPPER -> 3x3 [[7, 9, 10], [17, 19, 20], [22, 24, 25]]
        Tensor max = run(
                "MaxPool",
                12,
                new Tensor[] {x},
                ints("kernel_shape", 3, 3),
                ints("strides", 2, 2),
                s("auto_pad", "SAME_UPPER"));
        assertArrayEquals(new float[] {7, 9, 10, 17, 19, 20, 22, 24, 25}, max.toFloatArray());
        // maxpool_2d_pads with asymmetric pads [1, 1, 0, 0] (top, left only): window 2, stride 1 -> 5x5
        Tensor asym = run("MaxPool", 12, new Tensor[] {x}, ints("kernel_shape", 2, 2), ints("pads", 1, 1, 0, 0));
        assertArrayEquals(new int[] {1, 1, 5, 5}, asym.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5}, Arrays.copyOf(asym.toFloatArray(), 5));
    }

    @Test
    void activationsAsInTheSpec() {
        Tensor x = f32(new float[] {-1, 0, 1}, 3);
        assertArrayEquals(
                new float[] {0.1f, 0.6f, 1f},
                run("HardSigmoid", 13, new Tensor[] {x}, f("alpha", 0.5f), f("beta", 0.6f))
                        .toFloatArray(),
                1e-6f);
        assertArrayEquals(
                new float[] {-1.2642411f, 0, 1},
                run("Elu", 13, new Tensor[] {x}, f("alpha", 2f)).toFloatArray(),
                1e-6f);
        assertArrayEquals(
                new float[] {-3.79272318f, 0, 3},
                run("Selu", 13, new Tensor[] {x}, f("alpha", 2f), f("gamma", 3f))
                        .toFloatArray(),
                1e-5f);
        assertArrayEquals(
                new float[] {-2.40760596f, -1.40760596f, -0.40760596f},
                run("LogSoftmax", 13, new Tensor[] {f32(new float[] {-1, 0, 1}, 1, 3)})
                        .toFloatArray(),
                1e-6f);
        assertArrayEquals(
                new float[] {-0.25f, 0, 1},
                run("PRelu", 13, new Tensor[] {x, f32(new float[] {0.25f}, 1)}).toFloatArray());
        assertArrayEquals(
                new float[] {-0.5f, 0, 0.5f},
                run("Softsign", 13, new Tensor[] {x}).toFloatArray());
        Tensor h = f32(new float[] {-4, -1, 0, 1, 4}, 5);
        assertArrayEquals(
                new float[] {0, -1 / 3f, 0, 2 / 3f, 4},
                run("HardSwish", 14, new Tensor[] {h}).toFloatArray(),
                1e-6f);
        assertArrayEquals(
                new float[] {-0.84270079f, 0, 0.84270079f},
                run("Erf", 13, new Tensor[] {x}).toFloatArray(),
                1e-6f);
    }

    @Test
    void comparisonsWhereExpandAsInTheSpec() {
        Tensor cond = Torch.tensor(new boolean[] {true, false, true, true}, 2, 2);
        Tensor a = f32(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = f32(new float[] {9, 8, 7, 6}, 2, 2);
        assertArrayEquals(
                new float[] {1, 8, 3, 4},
                run("Where", 16, new Tensor[] {cond, a, b}).toFloatArray());
        Tensor less = run("Less", 13, new Tensor[] {a, f32(new float[] {2.5f}, 1)});
        assertArrayEquals(new long[] {1, 1, 0, 0}, less.toLongArray());
        assertArrayEquals(
                new long[] {0, 1, 0, 0},
                run("Equal", 13, new Tensor[] {a, f32(new float[] {2}, 1)}).toLongArray());
        // expand_dim_changed: (3, 1) to [2, 1, 6] -> (2, 3, 6)
        Tensor x = f32(new float[] {1, 2, 3}, 3, 1);
        Tensor e = run("Expand", 13, new Tensor[] {x, i64(2, 1, 6)});
        assertArrayEquals(new int[] {2, 3, 6}, e.shape());
        assertArrayEquals(
                new float[] {1, 1, 1, 1, 1, 1, 2}, Arrays.copyOf(e.contiguous().toFloatArray(), 7));
        assertArrayEquals(
                new float[] {9, 8, 7, 6}, run("Max", 13, new Tensor[] {a, b}).toFloatArray());
        assertArrayEquals(
                new float[] {5, 5, 5, 5}, run("Mean", 13, new Tensor[] {a, b}).toFloatArray());
    }

    @Test
    void shapesRangesSplitsAndTilesAsInTheSpec() {
        assertArrayEquals(
                new float[] {10, 7},
                run("Range", 11, new Tensor[] {f32(new float[] {10}), f32(new float[] {4}), f32(new float[] {-3})})
                        .toFloatArray());
        assertArrayEquals(
                new long[] {3},
                run("Range", 11, new Tensor[] {
                            Torch.tensor(new long[] {3}), Torch.tensor(new long[] {1}), Torch.tensor(new long[] {-2})
                        })
                        .toLongArray());
        Tensor ones = run("ConstantOfShape", 9, new Tensor[] {i64(4, 3, 2)});
        assertArrayEquals(new int[] {4, 3, 2}, ones.shape());
        Tensor x = f32(new float[] {1, 2, 3, 4, 5, 6}, 6);
        NodeProto.Builder three =
                NodeProto.newBuilder().setOpType("Split").setName("split").addInput("in0");
        three.addOutput("a").addOutput("b").addOutput("c");
        Tensor[] parts = OnnxOps.OPS.get("Split").apply(new OnnxNode(three.build(), 13), new Tensor[] {x}, false);
        assertArrayEquals(new float[] {3, 4}, parts[1].toFloatArray());
        Tensor[] uneven =
                OnnxOps.OPS.get("Split").apply(new OnnxNode(three.build(), 13), new Tensor[] {x, i64(2, 4)}, false);
        assertArrayEquals(new float[] {3, 4, 5, 6}, uneven[1].toFloatArray());
        Tensor tiled = run("Tile", 13, new Tensor[] {f32(new float[] {0, 1, 2, 3}, 2, 2), i64(2, 2)});
        assertArrayEquals(new float[] {0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3}, tiled.toFloatArray());
        Tensor tri = run("Trilu", 14, new Tensor[] {f32(range(9), 3, 3).add(1f), Torch.tensor(new long[] {1})});
        assertArrayEquals(new float[] {0, 2, 3, 0, 0, 6, 0, 0, 0}, tri.toFloatArray());
        Tensor lower = run("Trilu", 14, new Tensor[] {f32(range(9), 3, 3).add(1f)}, i("upper", 0));
        assertArrayEquals(new float[] {1, 0, 0, 4, 5, 0, 7, 8, 9}, lower.toFloatArray());
    }

    @Test
    void reductionsAndArgMaxAsInTheSpec() {
        Tensor data = f32(new float[] {5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2}, 3, 2, 2);
        Tensor max = run("ReduceMax", 13, new Tensor[] {data}, ints("axes", 1), i("keepdims", 1));
        assertArrayEquals(new int[] {3, 1, 2}, max.shape());
        assertArrayEquals(new float[] {20, 2, 40, 2, 60, 2}, max.toFloatArray());
        Tensor mean = run("ReduceMean", 13, new Tensor[] {data}, ints("axes", 1), i("keepdims", 0));
        assertArrayEquals(new float[] {12.5f, 1.5f, 35, 1.5f, 57.5f, 1.5f}, mean.toFloatArray());
        Tensor sum = run("ReduceSum", 13, new Tensor[] {data, i64(1)}, i("keepdims", 1));
        assertArrayEquals(new float[] {25, 3, 70, 3, 115, 3}, sum.toFloatArray());
        Tensor all = run("ReduceMean", 13, new Tensor[] {data});
        assertArrayEquals(new int[] {1, 1, 1}, all.shape());
        Tensor arg = f32(new float[] {2, 1, 3, 10}, 2, 2);
        assertArrayEquals(
                new long[] {1, 1}, run("ArgMax", 13, new Tensor[] {arg}).toLongArray());
        assertArrayEquals(
                new long[] {0, 1},
                run("ArgMax", 13, new Tensor[] {arg}, i("axis", 1), i("keepdims", 0))
                        .toLongArray());
    }

    @Test
    void normalizationsAndConvTransposeAsInTheSpec() {
        // instancenorm_example
        Tensor x = f32(new float[] {-1, 0, 1, 2, 3, 4}, 1, 2, 1, 3);
        Tensor y = run(
                "InstanceNormalization",
                13,
                new Tensor[] {x, f32(new float[] {1, 1.5f}, 2), f32(new float[] {0, 1}, 2)},
                f("epsilon", 1e-5f));
        assertArrayEquals(
                new float[] {-1.22473562f, 0, 1.22473562f, -0.83710337f, 1, 2.83710337f}, y.toFloatArray(), 1e-5f);
        // layer normalization over the last axis, against the formula
        Tensor z = f32(new float[] {1, 2, 3, 4, 6, 8}, 2, 3);
        Tensor ln = run("LayerNormalization", 17, new Tensor[] {z, f32(new float[] {1, 1, 1}, 3)}, f("epsilon", 0f));
        float s = (float) Math.sqrt(2.0 / 3.0);
        assertArrayEquals(new float[] {-1 / s, 0, 1 / s, -1 / s, 0, 1 / s}, ln.toFloatArray(), 1e-5f);
        // convtranspose: x (1, 1, 3, 3) = 0..8, W ones (1, 2, 3, 3) -> (1, 2, 5, 5), first row [0, 1, 3, 3, 2]
        Tensor ct = run("ConvTranspose", 11, new Tensor[] {f32(range(9), 1, 1, 3, 3), Torch.ones(1, 2, 3, 3)});
        assertArrayEquals(new int[] {1, 2, 5, 5}, ct.shape());
        assertArrayEquals(new float[] {0, 1, 3, 3, 2, 3, 8, 15, 12, 7}, Arrays.copyOf(ct.toFloatArray(), 10));
        // globalmaxpool
        assertArrayEquals(
                new float[] {9},
                run("GlobalMaxPool", 13, new Tensor[] {f32(range(9), 1, 1, 3, 3).add(1f)})
                        .toFloatArray());
    }
}
