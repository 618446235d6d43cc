package dev.torchlet.compress.quantization;

import dev.torchlet.Tensor;

/**
 * PyTorch's {@code HistogramObserver}: a running 2048-bin histogram of everything observed, and parameters from
 * the [min, max] sub-range that minimizes the L2 quantization error (an outlier-clipping search from Caffe2's
 * {@code NormMinimization}). The default activation observer of PyTorch's fbgemm/x86 post-training recipe.
 *
 * <p>When a batch widens the range, the old histogram is upsampled by {@code upsampleRate} (each bin's count spread
 * evenly), shifted onto the new grid and downsampled again, as PyTorch does. One deviation: PyTorch 1.13 passes
 * {@code int(min)} and {@code int(max)} to {@code torch.histc} (truncating the range to integers, a bug fixed in
 * later releases); this class bins over the exact float range.
 */
public class HistogramObserver extends Observer {
    private final int bins;
    private final int upsampleRate;
    private final int dstBins;
    private float[] histogram;
    private float minVal = Float.POSITIVE_INFINITY;
    private float maxVal = Float.NEGATIVE_INFINITY;

    /** 2048 bins, quint8, per-tensor affine; {@code reduceRange} as fbgemm wants it. */
    public HistogramObserver(boolean reduceRange) {
        this(2048, 128, QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, reduceRange);
    }

    public HistogramObserver(int bins, int upsampleRate, QuantDType dtype, QScheme qscheme, boolean reduceRange) {
        super(dtype, qscheme, reduceRange);
        if (qscheme.isPerChannel()) {
            throw new IllegalArgumentException("HistogramObserver is per tensor only, got " + qscheme);
        }
        if (bins < 1 || upsampleRate < 1) {
            throw new IllegalArgumentException(
                    "HistogramObserver: bins and upsample rate must be positive, got " + bins + ", " + upsampleRate);
        }
        this.bins = bins;
        this.upsampleRate = upsampleRate;
        this.dstBins = 256; // 2^bits of the 8-bit type
        this.histogram = new float[bins];
    }

    @Override
    protected void observe(Tensor x) {
        float[] v = x.toFloatArray();
        float[] mm = aminmax(v);
        if (!hasObserved() || minVal == maxVal) {
            minVal = mm[0];
            maxVal = mm[1];
            histogram = histc(v, bins, minVal, maxVal);
            return;
        }
        float combinedMin = Math.min(mm[0], minVal);
        float combinedMax = Math.max(mm[1], maxVal);
        // _adjust_min_max: a common grid of width histBinWidth on which both histograms align
        float histBinWidth = (maxVal - minVal) / (bins * upsampleRate);
        int downsampleRate = (int) Math.ceil((combinedMax - combinedMin) / (bins * histBinWidth));
        float e = downsampleRate * (bins * histBinWidth) - (combinedMax - combinedMin);
        combinedMax = combinedMax + e; // relax only the max: a one-sided distribution keeps min 0
        int startIdx = (int) Math.rint((minVal - combinedMin) / histBinWidth);
        float[] combined = histc(v, bins, combinedMin, combinedMax);
        if (combinedMin == minVal && combinedMax == maxVal) {
            for (int i = 0; i < bins; i++) {
                combined[i] += histogram[i];
            }
        } else {
            addResampled(combined, histogram, downsampleRate, startIdx);
        }
        histogram = combined;
        minVal = combinedMin;
        maxVal = combinedMax;
    }

    /** _combine_histograms: spread old over an upsampled grid at startIdx, integrate, sample every downsampleRate. */
    private void addResampled(float[] into, float[] old, int downsampleRate, int startIdx) {
        int fine = bins * downsampleRate;
        double[] cumulative = new double[fine];
        double running = 0;
        for (int i = 0; i < fine; i++) {
            int src = i - startIdx;
            if (src >= 0 && src < bins * upsampleRate) {
                running += old[src / upsampleRate];
            }
            cumulative[i] = running;
        }
        double previous = 0;
        for (int b = 0; b < bins; b++) {
            double integral = cumulative[(b + 1) * downsampleRate - 1];
            into[b] += (float) ((integral - previous) / upsampleRate);
            previous = integral;
        }
    }

    /** torch.histc: counts in {@code bins} equal bins over [lo, hi]; values equal to hi fall in the last bin. */
    static float[] histc(float[] v, int bins, float lo, float hi) {
        float[] h = new float[bins];
        if (lo == hi) {
            lo -= 1;
            hi += 1; // torch.histc widens an empty range by 1 on each side
        }
        for (float x : v) {
            if (x < lo || x > hi) {
                continue;
            }
            int pos = (int) ((x - lo) * bins / (hi - lo));
            h[Math.min(pos, bins - 1)] += 1;
        }
        return h;
    }

    @Override
    public boolean hasObserved() {
        return minVal <= maxVal;
    }

    public float minVal() {
        return minVal;
    }

    public float maxVal() {
        return maxVal;
    }

    /** The current histogram (a copy). */
    public float[] histogram() {
        return histogram.clone();
    }

    @Override
    public QParams calculateQParams() {
        requireObserved();
        float[] range = nonLinearParamSearch();
        return qparamsFromMinMax(new float[] {range[0]}, new float[] {range[1]}, -1);
    }

    /**
     * _non_linear_param_search: shrink [start bin, end bin] from whichever side holds less mass, in quantile steps
     * of 1e-5, while the L2 quantization error keeps falling.
     */
    float[] nonLinearParamSearch() {
        float binWidth = (maxVal - minVal) / bins;
        float[] cSum = new float[bins];
        float total = 0;
        for (int i = 0; i < bins; i++) {
            total += histogram[i];
            cSum[i] = total;
        }
        double stepsize = 1e-5;
        double alpha = 0.0;
        double beta = 1.0;
        int startBin = 0;
        int endBin = bins - 1;
        double normMin = Double.POSITIVE_INFINITY;
        while (alpha < beta) {
            double nextAlpha = alpha + stepsize;
            double nextBeta = beta - stepsize;
            int l = startBin;
            int r = endBin;
            while (l < endBin && cSum[l] < (float) (nextAlpha * total)) {
                l++;
            }
            while (r > startBin && cSum[r] > (float) (nextBeta * total)) {
                r--;
            }
            int nextStart = startBin;
            int nextEnd = endBin;
            if ((l - startBin) > (endBin - r)) {
                nextStart = l;
                alpha = nextAlpha;
            } else {
                nextEnd = r;
                beta = nextBeta;
            }
            if (nextStart == startBin && nextEnd == endBin) {
                continue;
            }
            double norm = quantizationError(nextStart, nextEnd);
            if (norm > normMin) {
                break;
            }
            normMin = norm;
            startBin = nextStart;
            endBin = nextEnd;
        }
        return new float[] {minVal + binWidth * startBin, minVal + binWidth * (endBin + 1)};
    }

    /** _compute_quantization_error: L2 error of quantizing the histogram's mass with [start, end] as the range. */
    private double quantizationError(int nextStartBin, int nextEndBin) {
        double binWidthD = ((double) maxVal - (double) minVal) / bins;
        double dstBinWidthD = binWidthD * (nextEndBin - nextStartBin + 1) / dstBins;
        if (dstBinWidthD == 0.0) {
            return 0.0;
        }
        float binWidth = (float) binWidthD;
        float dstBinWidth = (float) dstBinWidthD;
        double sum = 0;
        for (int b = 0; b < bins; b++) {
            float srcBegin = (b - nextStartBin) * binWidth;
            float srcEnd = srcBegin + binWidth;
            float dstOfBegin = clampBin((float) Math.floor(srcBegin / dstBinWidth));
            float dstOfBeginCenter = (dstOfBegin + 0.5f) * dstBinWidth;
            float dstOfEnd = clampBin((float) Math.floor(srcEnd / dstBinWidth));
            float density = histogram[b] / binWidth;
            float norm = norm(srcBegin - dstOfBeginCenter, dstBinWidth / 2, density);
            norm += (dstOfEnd - dstOfBegin - 1) * norm(-dstBinWidth / 2, dstBinWidth / 2, density);
            float dstOfEndCenter = dstOfEnd * dstBinWidth + dstBinWidth / 2;
            norm += norm(-dstBinWidth / 2, srcEnd - dstOfEndCenter, density);
            sum += norm;
        }
        return sum;
    }

    private float clampBin(float bin) {
        return Math.max(0f, Math.min(dstBins - 1, bin));
    }

    /** density * integral of x^2 from begin to end. */
    private static float norm(float begin, float end, float density) {
        return density * ((end * end * end - begin * begin * begin) / 3);
    }
}
