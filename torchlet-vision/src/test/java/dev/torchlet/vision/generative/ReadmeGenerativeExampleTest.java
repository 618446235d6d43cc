package dev.torchlet.vision.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.Batch;
import dev.torchlet.optim.AdamW;
import dev.torchlet.optim.EMA;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's diffusion example, verbatim between the markers, on two batches of 4 random images instead of a
 * Fashion-MNIST loader, so the snippet keeps compiling and running.
 */
class ReadmeGenerativeExampleTest {
    /** Stands in for a DataLoader: the same batches every epoch. */
    record Loader(List<Batch> batches) {
        List<Batch> epoch(int epoch) {
            return batches;
        }
    }

    @Test
    void readmeDiffusionSnippetTrainsAndSamples() {
        Torch.manualSeed(0);
        Loader loader = new Loader(List.of(
                Batch.of(Torch.rand(4, 1, 28, 28).mul(2f).sub(1f), Torch.randint(0, 10, 4)),
                Batch.of(Torch.rand(4, 1, 28, 28).mul(2f).sub(1f), Torch.randint(0, 10, 4))));
        int epoch = 0;
        // spotless:off (the README shows this block as it is)
        // README-DIFFUSION-BEGIN
        Diffusion diffusion = new Diffusion(NoiseSchedule.linear(1000));
        UNet net = new UNet(32, 1, 10);                                   // width 32, 1 channel, 10 classes + null
        UNet sampler = new UNet(32, 1, 10);
        EMA ema = new EMA(net, 0.995);
        AdamW opt = new AdamW(net.parameters(), 2e-4);
        for (Batch b : loader.epoch(epoch)) {                              // images in [-1, 1]
            opt.zeroGrad();
            diffusion.loss(net, b.inputs(), b.labels(), 0.1).backward();   // 10% of labels dropped (guidance)
            opt.step();
            ema.update(net);
        }
        ema.copyTo(sampler);
        Tensor sneakers = diffusion.sampleDdim(sampler, 16, 28, Torch.full(DType.INT64, 7, 16),
                Diffusion.Sampling.ddim(50, 3.0));                         // 50 DDIM steps, guidance 3
        // README-DIFFUSION-END
        // spotless:on
        assertArrayEquals(new int[] {16, 1, 28, 28}, sneakers.shape());
        for (float v : sneakers.toFloatArray()) {
            assertTrue(v >= -1 && v <= 1, "clipped x0 in [-1, 1]");
        }
    }

    @Test
    void readmeShowsTheExampleVerbatim() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String test = Files.readString(
                Path.of("src/test/java/dev/torchlet/vision/generative/ReadmeGenerativeExampleTest.java"));
        int from = test.indexOf("// README-DIFFUSION-BEGIN\n") + "// README-DIFFUSION-BEGIN\n".length();
        String body = test.substring(from, test.indexOf("        // README-DIFFUSION-END"));
        String unindented = body.lines()
                .map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .reduce("", (a, b) -> a + b + "\n");
        assertTrue(readme.contains(unindented), "example differs from README.md:\n" + unindented);
    }
}
