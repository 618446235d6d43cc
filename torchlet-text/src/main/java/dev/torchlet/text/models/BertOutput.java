package dev.torchlet.text.models;

import dev.torchlet.Tensor;
import dev.torchlet.nn.LayerNorm;
import dev.torchlet.nn.Linear;
import dev.torchlet.nn.Module;
import dev.torchlet.nn.functional.F;

/**
 * The residual step after BERT's attention and feed-forward (HF's {@code BertSelfOutput} and
 * {@code BertOutput}): LayerNorm(dropout(dense(x)) + residual), dense (in -> H).
 */
public final class BertOutput extends Module {
    private final BertConfig config;

    /** @param in the width of x: H after attention, intermediate_size after the feed-forward */
    public BertOutput(BertConfig config, int in) {
        this.config = config;
        registerModule("dense", new Linear(in, config.hiddenSize()));
        registerModule("LayerNorm", new LayerNorm(new int[] {config.hiddenSize()}, config.layerNormEps(), true));
    }

    /** Without a residual (x must be H wide): LayerNorm(dense(x) + x). */
    @Override
    public Tensor forward(Tensor x) {
        return output(x, x);
    }

    /** x (B, T, in), residual (B, T, H) -> (B, T, H). */
    public Tensor call(Tensor x, Tensor residual) {
        return callWithHooks(a -> output((Tensor) a[0], (Tensor) a[1]), x, residual);
    }

    private Tensor output(Tensor x, Tensor residual) {
        Tensor y = F.dropout(child("dense").call(x), config.hiddenDropoutProb(), isTraining());
        return child("LayerNorm").call(y.add(residual));
    }
}
