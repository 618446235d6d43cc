package dev.torchlet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.io.PyTorchCheckpoint;
import dev.torchlet.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `torchlet convert` both ways and `torchlet models`. */
class ConvertCommandTest {
    @TempDir
    Path tmp;

    private static String stdout(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertEquals(0, Main.run(args), String.join(" ", args));
        } finally {
            System.setOut(saved);
        }
        return buf.toString();
    }

    @Test
    void convertsSafetensorsToPthAndBack() throws Exception {
        Torch.manualSeed(0);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("conv1.weight", Torch.randn(8, 3, 3, 3));
        sd.put("bn1.num_batches_tracked", Torch.tensor(new long[] {3}));
        Path st = tmp.resolve("a.safetensors");
        SafeTensors.write(sd, st);
        Path pth = tmp.resolve("a.pth");
        String out = stdout("convert", st.toString(), pth.toString());
        assertTrue(out.contains("converted 2 tensors (217 values"), out);
        Map<String, Tensor> viaPth = PyTorchCheckpoint.read(pth);
        Path back = tmp.resolve("b.safetensors");
        stdout("convert", pth.toString(), back.toString());
        Map<String, Tensor> again = SafeTensors.read(back);
        assertEquals(List.copyOf(sd.keySet()), List.copyOf(again.keySet()));
        for (String k : sd.keySet()) {
            assertArrayEquals(sd.get(k).toDoubleArray(), viaPth.get(k).toDoubleArray(), 0.0, k);
            assertArrayEquals(sd.get(k).toDoubleArray(), again.get(k).toDoubleArray(), 0.0, k);
        }
    }

    @Test
    void badArgumentsFailWithAMessage() throws Exception {
        assertEquals(
                1,
                Main.run(
                        "convert",
                        tmp.resolve("missing.pth").toString(),
                        tmp.resolve("x.safetensors").toString()));
        Path st = tmp.resolve("a.safetensors");
        SafeTensors.write(Map.of("w", Torch.ones(1)), st);
        assertEquals(1, Main.run("convert", st.toString(), tmp.resolve("x.txt").toString()));
        assertTrue(Files.notExists(tmp.resolve("x.txt")));
    }

    @Test
    void modelsListsTheZooWithWeightStatus() {
        String out = stdout("models");
        assertTrue(out.startsWith("model "), out);
        assertTrue(out.contains("search order:"), out);
    }
}
