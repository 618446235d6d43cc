package dev.torchlet.vision.generative;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Module;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link TimeResBlock#callUpsampled}, the decoder block whose 1x1 skip projection runs split (its part on the
 * upsampled input at low resolution), against the block called on the concatenation as written: output and every
 * gradient (inputs, timestep embedding, skip weights) within 1e-5 of each result's largest magnitude (the split sums
 * in another order); with a hook on the skip projection it is the block as written, bit for bit.
 */
class TimeResBlockTest {
    /** Output, then the gradients of low, lateral, temb and every parameter, of one call. */
    private static List<float[]> run(TimeResBlock block, boolean split, Tensor low0, Tensor lateral0, Tensor temb0) {
        block.zeroGrad();
        Tensor low = low0.detach().requiresGrad(true);
        Tensor lateral = lateral0.detach().requiresGrad(true);
        Tensor temb = temb0.detach().requiresGrad(true);
        Tensor y = split
                ? block.callUpsampled(low, lateral, temb)
                : block.call(Torch.cat(List.of(UNet.up(low), lateral), 1), temb);
        Torch.manualSeed(3);
        y.mul(Torch.randnLike(y)).sum().backward();
        List<float[]> out = new ArrayList<>(List.of(
                y.detach().toFloatArray(),
                low.grad().toFloatArray(),
                lateral.grad().toFloatArray(),
                temb.grad().toFloatArray()));
        for (Tensor p : block.parameters()) {
            out.add(p.grad().toFloatArray());
        }
        return out;
    }

    private static TimeResBlock block() {
        Torch.manualSeed(1);
        return new TimeResBlock(96, 32, 64); // 64 upsampled channels + 32 lateral -> 32
    }

    @Test
    void theSplitSkipProjectionGivesTheBlocksValuesAndGradients() {
        TimeResBlock block = block();
        Tensor low = Torch.randn(2, 64, 4, 5);
        Tensor lateral = Torch.randn(2, 32, 8, 10);
        Tensor temb = Torch.randn(2, 64);
        List<float[]> want = run(block, false, low, lateral, temb);
        List<float[]> got = run(block, true, low, lateral, temb);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            float scale = 0f;
            for (float v : want.get(i)) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertArrayEquals(want.get(i), got.get(i), 1e-5f * Math.max(scale, 1f), "result " + i);
        }
    }

    @Test
    void withAHookOnTheSkipProjectionItIsTheBlockAsWritten() {
        TimeResBlock block = block();
        Tensor low = Torch.randn(2, 64, 4, 4);
        Tensor lateral = Torch.randn(2, 32, 8, 8);
        Tensor temb = Torch.randn(2, 64);
        int[] inputChannels = new int[1];
        Module skip = block.namedModules().get("skip");
        try (var h = skip.registerForwardHook((m, in, out) -> {
            inputChannels[0] = in.size(1);
            return null;
        })) {
            List<float[]> got = run(block, true, low, lateral, temb);
            assertEquals(96, inputChannels[0], "the hook sees the concatenation");
            List<float[]> want = run(block, false, low, lateral, temb);
            for (int i = 0; i < want.size(); i++) {
                assertArrayEquals(want.get(i), got.get(i), 0f, "result " + i);
            }
        }
    }
}
