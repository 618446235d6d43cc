package dev.torchlet.data.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.data.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDatasetTest {
    @Test
    void numericFeaturesAndStringLabels(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("iris.csv");
        Files.writeString(f, """
                id,sepal_length,"name, quoted",sepal_width,species
                a1,5.1,"x, y",3.5,setosa
                a2,7.0,z,3.2,versicolor

                a3,6.3,w,-3.3e-1,virginica
                a4,4.9,v,3.0,setosa
                """);
        CsvDataset ds = new CsvDataset(f, new CsvDataset.Options("species"));
        assertEquals(4, ds.size());
        assertEquals(List.of("sepal_length", "sepal_width"), ds.featureColumns());
        assertEquals(List.of("id", "name, quoted"), ds.ignoredColumns());
        assertEquals(List.of("setosa", "versicolor", "virginica"), ds.classes());
        Example e = ds.get(2);
        assertArrayEquals(new float[] {6.3f, -0.33f}, e.input().toFloatArray());
        assertEquals(2, e.label());
        assertEquals(0, ds.get(3).label());
        assertArrayEquals(new int[] {4, 2}, ds.features().shape());
    }

    @Test
    void integerLabelsAndErrors(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("t.csv");
        Files.writeString(f, "x;y;label\n1;2;7\n3;4;0\n");
        CsvDataset ds = new CsvDataset(f, new CsvDataset.Options("label", ';'));
        assertEquals(7, ds.get(0).label());
        assertEquals(List.of(), ds.classes());

        var missing = assertThrows(IOException.class, () -> new CsvDataset(f, new CsvDataset.Options("target", ';')));
        assertEquals("CSV: " + f + ": no column named 'target', columns are [x, y, label]", missing.getMessage());
        Files.writeString(f, "x,y,label\n1,2,0\n3,oops,1\n");
        var bad = assertThrows(IOException.class, () -> new CsvDataset(f, new CsvDataset.Options("label")));
        assertTrue(bad.getMessage().contains("line 3, column 'y': 'oops' is not a number"), bad.getMessage());
        Files.writeString(f, "x,y,label\n1,2,0\n3,1\n");
        var ragged = assertThrows(IOException.class, () -> new CsvDataset(f, new CsvDataset.Options("label")));
        assertTrue(ragged.getMessage().contains("line 3 has 2 fields, the header has 3"), ragged.getMessage());
    }
}
