package dev.torchlet.vision.generative;

import dev.torchlet.Tensor;
import dev.torchlet.nn.Conv2d;
import dev.torchlet.nn.Embedding;
import dev.torchlet.nn.GroupNorm;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.MultiheadAttention;
import dev.torchlet.nn.Sequential;
import dev.torchlet.nn.SiLU;
import dev.torchlet.nn.functional.F;
import java.util.Arrays;

/**
 * A small U-Net that predicts the noise eps of x_t for a diffusion model. With base width c (default 64) it is
 * exactly {@code _UNet} of {@code ../shared/bench/pytorch_bench.py} (the {@code ddpm_unet_train_img_s}
 * workload), with the same state-dict names:
 *
 * <pre>
 * temb   sin/cos of t * 10000^(-i/c), i < c (2c features) -> temb.0 Linear(2c, 4c) - SiLU - temb.2 Linear(4c, 4c)
 * (yemb  Embedding(classes + 1, 4c), added to temb; class index "classes" is the null label of guidance)
 * cin    Conv3x3(in, c)                                   (B, c, 28, 28)
 * d1     TimeResBlock(c, c)           -> h1               (B, c, 28, 28)
 * down1  Conv3x3(c, c, stride 2), d2 TimeResBlock(c, 2c) -> h2      (B, 2c, 14, 14)
 * down2  Conv3x3(2c, 2c, stride 2), m1 TimeResBlock(2c, 2c)         (B, 2c, 7, 7)
 * an, attn  h + MHA(GroupNorm(8, 2c)(h) as (B, 49, 2c), 4 heads)    self-attention over the 49 positions
 * m2     TimeResBlock(2c, 2c)
 * u2     TimeResBlock(4c, 2c) of cat(nearest x2 up, h2)           (B, 2c, 14, 14)
 * u1     TimeResBlock(3c, c) of cat(nearest x2 up, h1)            (B, c, 28, 28)
 * nout, cout  Conv3x3(c, in)(silu(GroupNorm(8, c)))               (B, in, 28, 28) the predicted eps
 * </pre>
 *
 * Sides must be multiples of 4 (two halvings); c a multiple of 8 (GroupNorm(8)) and 2c of the 4 heads.
 * With c = 64 and one channel it has 2,047,809 parameters (PyTorch 1.13's count of {@code _UNet}), 2,050,625
 * with the class table of 10 classes.
 */
public class UNet extends Module {
    static final int GROUPS = 8;
    static final int HEADS = 4;

    private final int baseWidth;
    private final int inChannels;
    private final int numClasses;

    /** The bench's U-Net: base width 64, one channel, unconditional. */
    public UNet() {
        this(64, 1, 0);
    }

    /**
     * @param baseWidth  c: channels at full resolution (multiple of 8)
     * @param inChannels image channels (1 for Fashion-MNIST)
     * @param numClasses 0 for an unconditional model, else the classes; the embedding gets one more row,
     *                   the null class {@link #nullClass()} for classifier-free guidance
     */
    public UNet(int baseWidth, int inChannels, int numClasses) {
        if (baseWidth < GROUPS || baseWidth % GROUPS != 0) {
            throw new IllegalArgumentException("UNet: base width must be a positive multiple of 8, got " + baseWidth);
        }
        DCGAN.positive("inChannels", inChannels);
        if (numClasses < 0) {
            throw new IllegalArgumentException("UNet: numClasses must be >= 0 (0: unconditional), got " + numClasses);
        }
        this.baseWidth = baseWidth;
        this.inChannels = inChannels;
        this.numClasses = numClasses;
        int c = baseWidth;
        int tdim = 4 * c;
        registerModule("temb", new Sequential(new Linear(2 * c, tdim), new SiLU(), new Linear(tdim, tdim)));
        if (numClasses > 0) {
            registerModule("yemb", new Embedding(numClasses + 1, tdim));
        }
        registerModule("cin", new Conv2d(inChannels, c, 3, 1, 1));
        registerModule("d1", new TimeResBlock(c, c, tdim));
        registerModule("down1", new Conv2d(c, c, 3, 2, 1));
        registerModule("d2", new TimeResBlock(c, 2 * c, tdim));
        registerModule("down2", new Conv2d(2 * c, 2 * c, 3, 2, 1));
        registerModule("m1", new TimeResBlock(2 * c, 2 * c, tdim));
        registerModule("an", new GroupNorm(GROUPS, 2 * c));
        registerModule("attn", new MultiheadAttention(2 * c, HEADS, 0.0, true, true));
        registerModule("m2", new TimeResBlock(2 * c, 2 * c, tdim));
        registerModule("u2", new TimeResBlock(4 * c, 2 * c, tdim));
        registerModule("u1", new TimeResBlock(3 * c, c, tdim));
        registerModule("nout", new GroupNorm(GROUPS, c));
        registerModule("cout", new Conv2d(c, inChannels, 3, 1, 1));
    }

    public int baseWidth() {
        return baseWidth;
    }

    public int inChannels() {
        return inChannels;
    }

    /** 0 when unconditional. */
    public int numClasses() {
        return numClasses;
    }

    public boolean conditional() {
        return numClasses > 0;
    }

    /** The label of "no class" (classifier-free guidance's unconditional branch): numClasses. */
    public int nullClass() {
        return numClasses;
    }

    /** The predicted noise (B, in, H, W) of x_t (B, in, H, W) at int64 timesteps t (B), unconditional. */
    public Tensor call(Tensor x, Tensor t) {
        return call(x, t, null);
    }

    /** As {@link #call(Tensor, Tensor)}, with int64 labels y (B) in [0, classes] (classes = null) or null. */
    public Tensor call(Tensor x, Tensor t, Tensor y) {
        return callWithHooks(a -> predict((Tensor) a[0], (Tensor) a[1], (Tensor) a[2]), x, t, y);
    }

    private Tensor predict(Tensor x, Tensor t, Tensor y) {
        checkInput(x, t, y);
        int c = baseWidth;
        Tensor temb = child("temb").call(F.timestepEmbedding(t, 2 * c, false, 0, 1, 10000)); // (B, 4c)
        if (y != null) {
            temb = temb.add(child("yemb").call(y));
        }
        Tensor h1 = block("d1", child("cin").call(x), temb); // (B, c, H, W)
        Tensor h2 = block("d2", child("down1").call(h1), temb); // (B, 2c, H/2, W/2)
        Tensor h = block("m1", child("down2").call(h2), temb); // (B, 2c, H/4, W/4)
        int[] s = h.shape();
        Tensor a = child("an").call(h).flatten(2).transpose(1, 2); // (B, HW/16, 2c)
        Tensor att = ((MultiheadAttention) child("attn"))
                .call(a, a, a, null, null, false)
                .output(); // (B, HW/16, 2c)
        h = h.add(att.transpose(1, 2).reshape(s[0], s[1], s[2], s[3]));
        h = block("m2", h, temb);
        h = ((TimeResBlock) child("u2")).callUpsampled(h, h2, temb); // cat(up(h), h2) -> (B, 2c, H/2, W/2)
        h = ((TimeResBlock) child("u1")).callUpsampled(h, h1, temb); // cat(up(h), h1) -> (B, c, H, W)
        return child("cout").call(((GroupNorm) child("nout")).forwardSilu(h));
    }

    private Tensor block(String name, Tensor x, Tensor temb) {
        return ((TimeResBlock) child(name)).call(x, temb);
    }

    /** Nearest 2x upsampling of (B, C, H, W): the decoder's. */
    static Tensor up(Tensor x) {
        return F.interpolate(x, 2.0, "nearest", false);
    }

    private void checkInput(Tensor x, Tensor t, Tensor y) {
        int[] s = x.shape();
        if (x.dim() != 4 || s[1] != inChannels || s[2] % 4 != 0 || s[3] % 4 != 0 || s[2] == 0 || s[3] == 0) {
            throw new IllegalArgumentException("UNet: expected images (B, " + inChannels
                    + ", H, W) with H and W positive multiples of 4, got " + Arrays.toString(s));
        }
        if (t == null || t.dim() != 1 || t.shape()[0] != s[0] || t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("UNet: expected int64 timesteps of shape [" + s[0] + "], got "
                    + (t == null ? "null" : t.dtype() + " " + Arrays.toString(t.shape())));
        }
        if (y != null && numClasses == 0) {
            throw new IllegalArgumentException("UNet: this model is unconditional; got class labels");
        }
        if (y == null && numClasses > 0) {
            throw new IllegalArgumentException("UNet: this model is class-conditional; needs labels in [0, "
                    + numClasses + "] (" + numClasses + " = no class)");
        }
        if (y != null) {
            Labels.check("UNet", y, s[0], numClasses + 1);
        }
    }

    /** A U-Net needs the timesteps: use {@link #call(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor x) {
        throw new IllegalArgumentException("UNet: needs timesteps as well as images; call(x, t) or call(x, t, y)");
    }

    @Override
    protected String extraRepr() {
        return "base_width=" + baseWidth + ", in_channels=" + inChannels + ", num_classes=" + numClasses;
    }
}
