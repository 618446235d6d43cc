package dev.torchlet.kernels;

/** The binary functions {@link BinaryKernels#broadcast} applies elementwise. */
public enum BinaryOp {
    ADD,
    SUB,
    MUL,
    DIV,
    POW,
    MAX,
    MIN;

    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAX -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MIN -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
        };
    }

    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (float) Math.pow(a, b);
            case MAX -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
            case MIN -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b);
        };
    }

    /** Integer semantics; DIV is not defined on integers here (callers promote to float first). */
    public long apply(long a, long b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> (long) Math.pow(a, b);
            case DIV -> throw new IllegalStateException("integer DIV must be promoted to float");
        };
    }
}
