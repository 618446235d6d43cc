package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.GroupNorm;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;
import dev.torchlet.ops.ConvOptions;
import dev.torchlet.ops.Convolution;
import java.util.List;

/**
 * The residual block of {@link UNet}, conditioned on the timestep embedding (the bench's {@code _Res}):
 *
 * <pre>
 * h   = c1(silu(n1(x))) + t(temb)[:, :, None, None]      n1 GroupNorm(8, in), c1 Conv3x3(in, out), t Linear(tdim, out)
 * out = skip(x) + c2(silu(n2(h)))                        n2 GroupNorm(8, out), c2 Conv3x3(out, out)
 * </pre>
 *
 * skip is a 1x1 conv when in != out, else the identity (no child, as nn.Identity has no state).
 * x (B, in, H, W), temb (B, tdim) -> (B, out, H, W).
 */
public class TimeResBlock extends Module {
    private static final ConvOptions ONE_BY_ONE = ConvOptions.of(1, 0);
    private final boolean projectSkip;

    public TimeResBlock(int in, int out, int timeDim) {
        registerModule("n1", new GroupNorm(UNet.GROUPS, in));
        registerModule("c1", new Conv2d(in, out, 3, 1, 1));
        registerModule("t", new Linear(timeDim, out));
        registerModule("n2", new GroupNorm(UNet.GROUPS, out));
        registerModule("c2", new Conv2d(out, out, 3, 1, 1));
        projectSkip = in != out;
        if (projectSkip) {
            registerModule("skip", new Conv2d(in, out, 1));
        }
    }

    public Tensor call(Tensor x, Tensor temb) {
        return callWithHooks(a -> block((Tensor) a[0], (Tensor) a[1], null, null), x, temb);
    }

    /**
     * A decoder block: call(cat(up(low), lateral), temb) for low (B, Cl, H/2, W/2), lateral (B, in - Cl, H, W) and
     * up nearest 2x upsampling. The 1x1 skip projection is split by its input channels and its part on up(low) runs
     * at low resolution, then is upsampled (a per-pixel linear map commutes with nearest upsampling):
     * skip(x) = up(W_low low) + W_lateral lateral + b, the same values within float rounding, a quarter of the
     * multiply-adds for that part each way. With hooks on this block or its skip, or no skip projection, it is
     * call(x, temb) as written.
     */
    public Tensor callUpsampled(Tensor low, Tensor lateral, Tensor temb) {
        Tensor x = Torch.cat(List.of(UNet.up(low), lateral), 1);
        if (!projectSkip || hasForwardHooks() || child("skip").hasForwardHooks()) {
            return call(x, temb);
        }
        return block(x, temb, low, lateral);
    }

    /** The block on x; with low and lateral (x = cat(up(low), lateral)) the skip projection runs split. */
    private Tensor block(Tensor x, Tensor temb, Tensor low, Tensor lateral) {
        Tensor tproj = child("t").call(temb); // (B, out)
        Tensor c1 = child("c1").call(normSilu("n1", x));
        Tensor hs = ((GroupNorm) child("n2")).forwardSilu(c1, tproj); // silu(n2(h)), h = c1 + tproj never stored
        Tensor skip = !projectSkip ? x : low == null ? child("skip").call(x) : splitSkip(low, lateral);
        Conv2d c2 = (Conv2d) child("c2");
        if (c2.hasForwardHooks()) { // the hooks see c2's own output
            return skip.add(c2.call(hs));
        }
        return c2.forwardAddClamped(hs, skip, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY); // one pass fewer
    }

    /** skip(cat(up(low), lateral)) = up(W[:, :Cl] low) + (W[:, Cl:] lateral + b), see {@link #callUpsampled}. */
    private Tensor splitSkip(Tensor low, Tensor lateral) {
        Conv2d skip = (Conv2d) child("skip");
        int cl = low.size(1);
        Tensor w = skip.weight(); // (out, in, 1, 1)
        Tensor lowPart = UNet.up(F.conv2d(low, w.narrow(1, 0, cl), null, 1, 0)); // (B, out, H, W)
        Tensor wLateral = w.narrow(1, cl, w.size(1) - cl);
        return Convolution.conv2dAddClamped(
                lateral, wLateral, skip.bias(), ONE_BY_ONE, lowPart, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /** silu(child(x)) for a GroupNorm child, as one op (see {@link GroupNorm#forwardSilu}). */
    private Tensor normSilu(String norm, Tensor x) {
        return ((GroupNorm) child(norm)).forwardSilu(x);
    }

    /** A block needs the timestep embedding: use {@link #call(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor x) {
        throw new IllegalArgumentException("TimeResBlock: needs the timestep embedding as well; call(x, temb)");
    }
}
