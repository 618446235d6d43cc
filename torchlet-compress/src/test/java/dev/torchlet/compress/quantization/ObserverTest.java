package dev.torchlet.compress.quantization;

import static dev.torchlet.compress.quantization.QuantGolden.floats;
import static dev.torchlet.compress.quantization.QuantGolden.g;
import static dev.torchlet.compress.quantization.QuantGolden.qparams;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Observers against PyTorch's: the same statistics and the same scale and zero point, exactly (min/max observers)
 * or to float rounding (the histogram's search, whose bins are float32 in both).
 */
class ObserverTest {
    @Test
    void minMaxAndMovingAverageMatchPyTorch() {
        Map<String, Observer> observers = new LinkedHashMap<>();
        observers.put("minmax_u8_affine", new MinMaxObserver(QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, false));
        observers.put("minmax_s8_sym", new MinMaxObserver(QuantDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC, false));
        observers.put("minmax_u8_affine_rr", new MinMaxObserver(QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, true));
        observers.put("minmax_u8_sym", new MinMaxObserver(QuantDType.QUINT8, QScheme.PER_TENSOR_SYMMETRIC, false));
        observers.put("minmax_s8_affine", new MinMaxObserver(QuantDType.QINT8, QScheme.PER_TENSOR_AFFINE, false));
        observers.put(
                "movavg_u8_affine_rr",
                new MovingAverageMinMaxObserver(0.01f, QuantDType.QUINT8, QScheme.PER_TENSOR_AFFINE, true));
        for (var e : observers.entrySet()) {
            MinMaxObserver obs = (MinMaxObserver) e.getValue();
            for (int b = 0; b < 3; b++) {
                obs.call(g("obs.batch" + b));
            }
            String c = "obs." + e.getKey();
            assertEquals(floats(c + ".min")[0], obs.minVal(), c + " min");
            assertEquals(floats(c + ".max")[0], obs.maxVal(), c + " max");
            assertEquals(qparams(c, -1), obs.calculateQParams(), c);
        }
    }

    @Test
    void perChannelMatchesPyTorch() {
        Map<String, PerChannelMinMaxObserver> observers = new LinkedHashMap<>();
        observers.put("perchannel_s8_sym", PerChannelMinMaxObserver.forWeights());
        observers.put(
                "perchannel_u8_affine_ax1",
                new PerChannelMinMaxObserver(1, QuantDType.QUINT8, QScheme.PER_CHANNEL_AFFINE, false));
        observers.put("movavg_perchannel_s8_sym", PerChannelMinMaxObserver.movingAverageForWeights());
        for (var e : observers.entrySet()) {
            PerChannelMinMaxObserver obs = e.getValue();
            obs.call(g("obs.w0"));
            obs.call(g("obs.w1"));
            String c = "obs." + e.getKey();
            assertEquals(qparams(c, obs.chAxis()), obs.calculateQParams(), c);
        }
    }

    @Test
    void histogramMatchesPyTorch() {
        Map<String, HistogramObserver> observers = new LinkedHashMap<>();
        observers.put("u8_affine_rr", new HistogramObserver(true));
        observers.put(
                "s8_sym", new HistogramObserver(2048, 128, QuantDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC, false));
        for (var e : observers.entrySet()) {
            String c = "hist." + e.getKey();
            HistogramObserver obs = e.getValue();
            obs.call(g("hist.batch0"));
            assertHistogram(floats(c + ".hist0"), obs.histogram(), c + " first histogram");
            obs.call(g("hist.batch1"));
            assertHistogram(floats(c + ".hist1"), obs.histogram(), c + " summed histogram");
            float[] search = obs.nonLinearParamSearch();
            assertArrayEquals(floats(c + ".search"), search, 1e-5f, c + " searched range");
            QParams want = qparams(c, -1);
            QParams got = obs.calculateQParams();
            assertEquals(want.scale(), got.scale(), 1e-6 * want.scale(), c + " scale");
            assertEquals(want.zeroPoint(), got.zeroPoint(), c + " zero point");
        }
    }

    /** torch.histc and this class may put a value sitting exactly on a bin edge on different sides. */
    private static void assertHistogram(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double total = 0;
        double moved = 0;
        for (int i = 0; i < want.length; i++) {
            total += want[i];
            moved += Math.abs(want[i] - got[i]);
        }
        assertTrue(moved <= 2, what + ": " + moved + " of " + total + " counts in other bins");
    }

    @Test
    void unobservedObserverIsAnError() {
        var e = assertThrows(IllegalStateException.class, () -> new HistogramObserver(true).calculateQParams());
        assertTrue(e.getMessage().contains("observed no data"), e.getMessage());
    }
}
