package dev.torchlet;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints tensors the way PyTorch 1.13 does ({@code torch/_tensor_str.py} with the default print
 * options: precision 4, threshold 1000, edge items 3, line width 80), e.g.
 * <pre>
 * tensor([[ 1.0000, -2.5000],
 *         [ 3.0000,  4.0000]], requires_grad=True)
 * </pre>
 * One formatter is chosen per tensor from the printed values (all of them, or only the edge items
 * when summarizing): integer-valued floats print as {@code 1.}, scientific notation is used when
 * max/min of the non-zero finite magnitudes exceeds 1000, the max exceeds 1e8, or (non-integer
 * values only) the min is below 1e-4. Every value is right-aligned to the widest one. Decimal
 * rounding is exact round-half-even on the binary value, like Python's float formatting.
 */
final class TensorFormatter {
    private static final int PRECISION = 4;
    private static final int THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final int LINE_WIDTH = 80;

    private TensorFormatter() {}

    static String format(Tensor t) {
        String prefix = "tensor(";
        int indent = prefix.length();
        List<String> suffixes = new ArrayList<>();
        String body;
        if (t.numel() == 0) {
            // like NumPy, the shape is spelled out unless it is (0,); the dtype always (nothing to infer it from)
            if (t.dim() != 1) {
                suffixes.add("size=" + tuple(t.shapeRef()));
            }
            if (t.dtype() != DType.FLOAT32) {
                suffixes.add("dtype=" + t.dtype().torchName());
            }
            body = "[]";
        } else {
            // float32 is the default dtype; int64 and bool are recognizable from the values
            if (t.dtype() == DType.FLOAT64) {
                suffixes.add("dtype=" + t.dtype().torchName());
            }
            body = new Printer(t).print(indent);
        }
        if (t.gradFn() != null) {
            suffixes.add("grad_fn=<" + t.gradFn().name() + ">");
        } else if (t.requiresGrad()) {
            suffixes.add("requires_grad=True");
        }
        return addSuffixes(prefix + body, suffixes, indent);
    }

    /** Python's str(tuple(shape)): (0,) or (2, 0, 3). */
    private static String tuple(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Appends ", suffix" to the last line, or starts a new indented line when it would pass the line width. */
    private static String addSuffixes(String tensorStr, List<String> suffixes, int indent) {
        StringBuilder sb = new StringBuilder(tensorStr);
        // (sic) PyTorch's count: length after the last newline + 2, or the full length + 2 without one
        int lastLineLen = tensorStr.length() - tensorStr.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLen + suffix.length() + 2 > LINE_WIDTH) {
                sb.append(",\n").append(" ".repeat(indent)).append(suffix);
                lastLineLen = indent + suffix.length();
            } else {
                sb.append(", ").append(suffix);
                lastLineLen += suffix.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    /** The values of one non-empty tensor in row-major order, and the recursive layout of their text. */
    private static final class Printer {
        private final int[] shape;
        private final int[] strides;
        private final DType dtype;
        private final double[] doubles;
        private final long[] longs;
        private final boolean[] bools;
        private final boolean summarize;

        // formatter state (PyTorch's _Formatter)
        private boolean intMode = true;
        private boolean sciMode = false;
        private int maxWidth = 1;

        Printer(Tensor t) {
            Tensor d = t.detach();
            shape = t.shape();
            strides = Shape.contiguousStrides(shape);
            dtype = t.dtype();
            doubles = dtype.isFloatingPoint() ? d.toDoubleArray() : null;
            longs = dtype == DType.INT64 ? d.toLongArray() : null;
            bools = dtype == DType.BOOL ? d.toBooleanArray() : null;
            summarize = t.numel() > THRESHOLD;
            chooseFormat();
        }

        /** Flat indices of the printed elements (all, or the edge items of each dim when summarizing). */
        private void collect(int level, int base, List<Integer> out) {
            if (level == shape.length) {
                out.add(base);
                return;
            }
            for (int i : rows(shape[level])) {
                collect(level + 1, base + i * strides[level], out);
            }
        }

        /** The printed indices along a dim of this size; -1 stands for the "..." marker. */
        private int[] rows(int size) {
            if (summarize && size > 2 * EDGE_ITEMS) {
                int[] r = new int[2 * EDGE_ITEMS];
                for (int i = 0; i < EDGE_ITEMS; i++) {
                    r[i] = i;
                    r[EDGE_ITEMS + i] = size - EDGE_ITEMS + i;
                }
                return r;
            }
            int[] r = new int[size];
            for (int i = 0; i < size; i++) {
                r[i] = i;
            }
            return r;
        }

        private void chooseFormat() {
            List<Integer> printed = new ArrayList<>();
            collect(0, 0, printed);
            if (!dtype.isFloatingPoint()) {
                for (int i : printed) {
                    maxWidth = Math.max(maxWidth, plain(i).length());
                }
                return;
            }
            List<Double> vals = new ArrayList<>();
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            for (int i : printed) {
                double v = doubles[i];
                if (Double.isFinite(v) && v != 0) {
                    vals.add(v);
                    min = Math.min(min, Math.abs(v));
                    max = Math.max(max, Math.abs(v));
                }
            }
            if (vals.isEmpty()) {
                return; // no valid number: int mode, width 1
            }
            for (double v : vals) {
                if (v != Math.ceil(v)) {
                    intMode = false;
                    break;
                }
            }
            if (max / min > 1000.0 || max > 1.0e8 || (!intMode && min < 1.0e-4)) {
                sciMode = true;
                for (double v : vals) {
                    maxWidth = Math.max(maxWidth, sci(v).length());
                }
            } else if (intMode) {
                for (double v : vals) {
                    maxWidth = Math.max(maxWidth, fixed(v, 0).length() + 1);
                }
            } else {
                for (double v : vals) {
                    maxWidth = Math.max(maxWidth, fixed(v, PRECISION).length());
                }
            }
        }

        /** One value, padded on the left to the common width. */
        private String value(int i) {
            String s;
            if (!dtype.isFloatingPoint()) {
                s = plain(i);
            } else {
                double v = doubles[i];
                if (sciMode) {
                    s = sci(v);
                } else if (intMode) {
                    s = fixed(v, 0) + (Double.isFinite(v) ? "." : "");
                } else {
                    s = fixed(v, PRECISION);
                }
            }
            return s.length() >= maxWidth ? s : " ".repeat(maxWidth - s.length()) + s;
        }

        private String plain(int i) {
            return dtype == DType.BOOL ? (bools[i] ? "True" : "False") : Long.toString(longs[i]);
        }

        String print(int indent) {
            return print(0, 0, indent);
        }

        private String print(int level, int base, int indent) {
            int dims = shape.length - level;
            if (dims == 0) {
                return value(base);
            }
            int size = shape[level];
            int[] rows = rows(size);
            boolean cut = rows.length < size;
            List<String> items = new ArrayList<>();
            for (int k = 0; k < rows.length; k++) {
                if (cut && k == EDGE_ITEMS) {
                    items.add(dims == 1 ? " ..." : "...");
                }
                int p = base + rows[k] * strides[level];
                items.add(dims == 1 ? value(p) : print(level + 1, p, indent + 1));
            }
            if (dims > 1) {
                return "[" + String.join("," + "\n".repeat(dims - 1) + " ".repeat(indent + 1), items) + "]";
            }
            // a vector: as many elements per line as fit in the line width
            int elementLength = maxWidth + 2;
            int perLine = Math.max(1, Math.floorDiv(LINE_WIDTH - indent, elementLength));
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < items.size(); i += perLine) {
                lines.add(String.join(", ", items.subList(i, Math.min(items.size(), i + perLine))));
            }
            return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
        }
    }

    // ---------------------------------------------------------------- Python float formatting

    private static String nonFinite(double v) {
        return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    }

    private static String sign(double v) {
        return v < 0 || (v == 0 && 1 / v < 0) ? "-" : "";
    }

    /** Python's {@code '{:.Nf}'.format(v)}: exact value, round half to even, sign of -0 kept. */
    static String fixed(double v, int digits) {
        if (!Double.isFinite(v)) {
            return nonFinite(v);
        }
        return sign(v)
                + new BigDecimal(Math.abs(v))
                        .setScale(digits, RoundingMode.HALF_EVEN)
                        .toPlainString();
    }

    /** Python's {@code '{:.4e}'.format(v)}, e.g. {@code 1.0000e+10}, {@code -2.5000e-05}. */
    static String sci(double v) {
        if (!Double.isFinite(v)) {
            return nonFinite(v);
        }
        String digits;
        int exponent;
        double a = Math.abs(v);
        if (a == 0) {
            digits = "0";
            exponent = 0;
        } else {
            BigDecimal bd = new BigDecimal(a).round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
            digits = bd.unscaledValue().toString();
            exponent = digits.length() - 1 - bd.scale();
        }
        StringBuilder mant = new StringBuilder(digits);
        while (mant.length() < PRECISION + 1) {
            mant.append('0');
        }
        mant.setLength(PRECISION + 1);
        String exp = Integer.toString(Math.abs(exponent));
        return sign(v) + mant.charAt(0) + "." + mant.substring(1) + "e" + (exponent < 0 ? "-" : "+")
                + (exp.length() < 2 ? "0" + exp : exp);
    }
}
