package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.Init;
import dev.torchlet.nn.Module;

/**
 * Hugging Face's {@code Conv1D} (GPT-2's projections): a linear layer whose weight is stored
 * transposed, (in, out), as OpenAI's TensorFlow checkpoints had it: y = x W + b. Initialized as HF's
 * GPT-2 does: weight N(0, 0.02^2), bias 0.
 */
public final class GPT2Conv1D extends Module {
    private final int in;
    private final int out;

    public GPT2Conv1D(int in, int out) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("GPT2Conv1D: sizes must be positive, got in " + in + ", out " + out);
        }
        this.in = in;
        this.out = out;
        Tensor w = Torch.zeros(in, out);
        Init.normal(w, 0, 0.02);
        registerParameter("weight", w);
        registerParameter("bias", Torch.zeros(out));
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    /** (..., in) -> (..., out). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() == 0 || x.size(-1) != in) {
            throw new IllegalArgumentException(
                    "GPT2Conv1D: expected input (..., " + in + "), got " + dev.torchlet.Shape.str(x.shape()));
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        return x.reshape(-1, in)
                .matmul(parameter("weight"))
                .add(parameter("bias"))
                .reshape(shape);
    }

    @Override
    protected String extraRepr() {
        return "nf=" + out + ", nx=" + in;
    }
}
