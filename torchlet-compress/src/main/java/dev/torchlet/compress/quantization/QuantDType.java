package dev.torchlet.compress.quantization;

/** The two 8-bit quantized element types, PyTorch's {@code torch.quint8} and {@code torch.qint8}. */
public enum QuantDType {
    /** unsigned 0..255: activations. */
    QUINT8("torch.quint8", 0, 255),
    /** signed -128..127: weights. */
    QINT8("torch.qint8", -128, 127);

    private final String torchName;
    private final int qmin;
    private final int qmax;

    QuantDType(String torchName, int qmin, int qmax) {
        this.torchName = torchName;
        this.qmin = qmin;
        this.qmax = qmax;
    }

    public String torchName() {
        return torchName;
    }

    public int qmin() {
        return qmin;
    }

    public int qmax() {
        return qmax;
    }

    /**
     * PyTorch's {@code calculate_qmin_qmax} for the default range: {qmin, qmax}, halved by {@code reduceRange}
     * (quint8 0..127, qint8 -64..63), which fbgemm's x86 kernels use so that u8 x s8 pair sums fit in int16.
     */
    public int[] range(boolean reduceRange) {
        return reduceRange ? new int[] {qmin / 2, qmax / 2} : new int[] {qmin, qmax};
    }
}
