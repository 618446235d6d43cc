package dev.torchlet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Storage;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollateTest {
    private record Labeled(Tensor image, long label, double weight) {}

    @Test
    void recordsCollateFieldByField() {
        List<Labeled> samples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            samples.add(new Labeled(Torch.full(i, 1, 2, 2), 10 + i, 0.5 * i));
        }
        Batch b = Collate.<Labeled>defaultCollate().collate(samples);
        assertEquals(List.of("image", "label", "weight"), b.names());
        assertArrayEquals(new int[] {4, 1, 2, 2}, b.inputs().shape());
        assertEquals(DType.INT64, b.labels().dtype());
        assertArrayEquals(new long[] {10, 11, 12, 13}, b.labels().toLongArray());
        assertEquals(DType.FLOAT32, b.get("weight").dtype());
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f}, b.get("weight").toFloatArray());
        float[] x = b.inputs().toFloatArray();
        for (int i = 0; i < 16; i++) {
            assertEquals(i / 4, x[i]);
        }
        assertEquals(4, b.size());
    }

    @Test
    void exampleAndTensorListsAndViews() {
        Tensor base = Torch.arange(24).to(DType.FLOAT32).reshape(4, 6);
        // Rows are offset views; columns (transposed) are non-contiguous: both must stack correctly.
        List<Example> rows = List.of(new Example(base.select(0, 2), 1), new Example(base.select(0, 3), 2));
        Batch b = Collate.<Example>defaultCollate().collate(rows);
        assertArrayEquals(
                new float[] {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23},
                b.inputs().toFloatArray());
        List<List<Tensor>> cols = List.of(List.of(base.select(1, 0)), List.of(base.select(1, 5)));
        Batch c = Collate.<List<Tensor>>defaultCollate().collate(cols);
        assertArrayEquals(new float[] {0, 6, 12, 18, 5, 11, 17, 23}, c.get(0).toFloatArray());
        var ds = new TensorDataset(base, Torch.tensor(new long[] {5, 6, 7, 8}, 4));
        Batch d = Collate.<List<Tensor>>defaultCollate().collate(List.of(ds.get(3), ds.get(0)));
        assertArrayEquals(new long[] {8, 5}, d.get(1).toLongArray());
        assertArrayEquals(new int[] {2, 6}, d.get(0).shape());
    }

    @Test
    void mismatchedShapesAndUnknownTypesAreClearErrors() {
        List<Example> bad = List.of(new Example(Torch.zeros(3, 4), 0), new Example(Torch.zeros(3, 5), 0));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Collate.<Example>defaultCollate().collate(bad));
        assertTrue(e.getMessage().contains("collate Example.input: sample 1 has shape [3, 5]"), e.getMessage());
        assertTrue(e.getMessage().contains("sample 0 has [3, 4]"), e.getMessage());
        var f = assertThrows(
                IllegalArgumentException.class,
                () -> Collate.<Object>defaultCollate().collate(List.of("a", "b")));
        assertTrue(f.getMessage().contains("String"), f.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> Collate.defaultCollate().collate(List.of()));
    }

    @Test
    void stackIsOneArrayPerBatch() {
        List<Tensor> images = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            images.add(TensorInternals.wrap(Storage.of(new float[784]), 1, 28, 28));
        }
        Tensor s = Collate.stack(images);
        assertArrayEquals(new int[] {64, 1, 28, 28}, s.shape());
        assertEquals(64 * 784, TensorInternals.storage(s).length());
    }
}
