package dev.torchlet.cli.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** A small `torchlet transfer` run: three methods, one table (the full run is in the README). */
class TransferCommandTest {
    @Test
    void printsTheComparisonTable() {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int code;
        try {
            code = Main.run(
                    "transfer",
                    "--pretrain-epochs",
                    "1",
                    "--source-per-class",
                    "200",
                    "--per-class",
                    "10",
                    "--epochs",
                    "3");
        } finally {
            System.setOut(saved);
        }
        String out = buf.toString();
        assertEquals(0, code, out);
        assertTrue(
                out.contains("target task: classes 5-9 (Sandal, Shirt, Sneaker, Bag, Ankle boot), 50 labelled"), out);
        assertTrue(out.contains("from scratch "), out);
        assertTrue(out.contains("frozen pretrained features + linear head"), out);
        assertTrue(out.contains("fine-tuning (pretrained layers at lr/10)"), out);
        assertTrue(out.contains("transfer beats training from scratch by"), out);
        assertEquals(1, Main.run("transfer", "--per-class", "0"));
    }
}
