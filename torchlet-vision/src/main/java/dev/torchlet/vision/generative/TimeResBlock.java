package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.GroupNorm;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;

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
        return callWithHooks(a -> block((Tensor) a[0], (Tensor) a[1]), x, temb);
    }

    private Tensor block(Tensor x, Tensor temb) {
        Tensor tproj = child("t").call(temb); // (B, out)
        Tensor c1 = child("c1").call(normSilu("n1", x));
        Tensor hs = ((GroupNorm) child("n2")).forwardSilu(c1, tproj); // silu(n2(h)), h = c1 + tproj never stored
        Tensor skip = projectSkip ? child("skip").call(x) : x;
        Conv2d c2 = (Conv2d) child("c2");
        if (c2.hasForwardHooks()) { // the hooks see c2's own output
            return skip.add(c2.call(hs));
        }
        return c2.forwardAddClamped(hs, skip, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY); // one pass fewer
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
