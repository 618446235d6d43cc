package dev.torchlet.vision.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.data.Batch;
import dev.torchlet.optim.AdamW;
import dev.torchlet.optim.EMA;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's diffusion example, as written there (width 32, 16 samples, 50 DDIM steps), on two batches of 4 random
 * images instead of a data loader, so the snippet keeps compiling and running.
 */
class ReadmeGenerativeExampleTest {
    @Test
    void readmeDiffusionSnippetTrainsAndSamples() {
        Torch.manualSeed(0);
        List<Batch> epochBatches = List.of(
                Batch.of(Torch.rand(4, 1, 28, 28).mul(2f).sub(1f), Torch.randint(0, 10, 4)),
                Batch.of(Torch.rand(4, 1, 28, 28).mul(2f).sub(1f), Torch.randint(0, 10, 4)));
        // ---- README
        Diffusion diffusion = new Diffusion(NoiseSchedule.linear(1000));
        UNet net = new UNet(32, 1, 10); // width 32, 1 channel, 10 classes (+ a null class)
        UNet sampler = new UNet(32, 1, 10);
        EMA ema = new EMA(net, 0.995);
        AdamW opt = new AdamW(net.parameters(), 2e-4);
        for (Batch b : epochBatches) { // images in [-1, 1]
            opt.zeroGrad();
            diffusion.loss(net, b.inputs(), b.labels(), 0.1).backward(); // labels dropped 10% of the time
            opt.step();
            ema.update(net);
        }
        ema.copyTo(sampler);
        Tensor sneakers = diffusion.sampleDdim(
                sampler, 16, 28, Torch.full(DType.INT64, 7, 16), Diffusion.Sampling.ddim(50, 3.0)); // 50 steps, w 3
        // ---- end of README
        assertArrayEquals(new int[] {16, 1, 28, 28}, sneakers.shape());
        for (float v : sneakers.toFloatArray()) {
            assertTrue(v >= -1 && v <= 1, "clipped x0 in [-1, 1]");
        }
    }
}
