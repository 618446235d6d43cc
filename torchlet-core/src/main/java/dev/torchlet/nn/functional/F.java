package dev.torchlet.nn.functional;

import dev.torchlet.DType;
import dev.torchlet.Shape;
import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.internal.TensorInternals;
import dev.torchlet.nn.PackedSequence;
import dev.torchlet.nn.Reduction;
import dev.torchlet.ops.Activations;
import dev.torchlet.ops.Attention;
import dev.torchlet.ops.Convolution;
import dev.torchlet.ops.DropoutMask;
import dev.torchlet.ops.FusedDropout;
import dev.torchlet.ops.Interpolation;
import dev.torchlet.ops.Losses;
import dev.torchlet.ops.MatMul;
import dev.torchlet.ops.Normalization;
import dev.torchlet.ops.Pooling;
import dev.torchlet.ops.Recurrent;
import dev.torchlet.ops.ScaledDotProductAttention;
import java.util.List;

/**
 * Functional forms of layers and losses, like {@code torch.nn.functional}. Layers hold state and
 * call these; the math lives here (or in the op classes these delegate to).
 */
public final class F {
    private F() {}

    // ---------------------------------------------------------------- activations

    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    public static Tensor gelu(Tensor x) {
        return x.gelu();
    }

    /** GELU with PyTorch's approximate argument: "none" (exact, x * Phi(x)) or "tanh". */
    public static Tensor gelu(Tensor x, String approximate) {
        return x.gelu(approximate);
    }

    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    public static Tensor silu(Tensor x) {
        return x.silu();
    }

    /** min(max(x, 0), 6); gradient 0 at both kinks, as PyTorch. */
    public static Tensor relu6(Tensor x) {
        return Activations.relu6(x);
    }

    /** x * relu6(x + 3) / 6 (MobileNetV3's activation). */
    public static Tensor hardswish(Tensor x) {
        return Activations.hardswish(x);
    }

    /** relu6(x + 3) / 6 (MobileNetV3's squeeze-excitation gate). */
    public static Tensor hardsigmoid(Tensor x) {
        return Activations.hardsigmoid(x);
    }

    public static Tensor leakyRelu(Tensor x, float negativeSlope) {
        return x.leakyRelu(negativeSlope);
    }

    public static Tensor elu(Tensor x, float alpha) {
        return x.elu(alpha);
    }

    public static Tensor softplus(Tensor x, float beta, float threshold) {
        return x.softplus(beta, threshold);
    }

    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    // ---------------------------------------------------------------- linear and dropout

    /** y = x W^T + b: x (..., in), weight (out, in), bias (out) or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2 || x.dim() == 0 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException(
                    "linear: input " + Shape.str(TensorInternals.shapeRef(x)) + " does not match weight "
                            + Shape.str(TensorInternals.shapeRef(weight)) + " (expected last input dim "
                            + (weight.dim() == 2 ? weight.size(1) : "?") + ")");
        }
        return MatMul.linear(x, weight, bias);
    }

    /** Zeroes elements with probability p in training and scales the rest by 1/(1-p). */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        checkProbability("dropout", p);
        if (!training || p == 0) {
            return x;
        }
        if (p == 1) {
            return x.mul(0f);
        }
        return FusedDropout.apply(x, p, Torch.defaultGenerator()); // mask drawn in the kernel, again in the backward
    }

    /** Zeroes whole channels (dim 1 of (N, C, ...)) with probability p in training. */
    public static Tensor dropout2d(Tensor x, double p, boolean training) {
        checkProbability("dropout2d", p);
        if (!training || p == 0) {
            return x;
        }
        if (x.dim() < 2) {
            throw new IllegalArgumentException("dropout2d: expects (N, C, H, W) or (C, H, W) input, got "
                    + Shape.str(TensorInternals.shapeRef(x)));
        }
        int[] maskShape = new int[x.dim()];
        java.util.Arrays.fill(maskShape, 1);
        int channelDim = x.dim() == 3 ? 0 : 1;
        for (int i = 0; i <= channelDim; i++) {
            maskShape[i] = x.size(i);
        }
        return x.mul(DropoutMask.scaledKeep(Torch.rand(maskShape), p, x.dtype()));
    }

    /**
     * Stochastic depth, like torchvision.ops.stochastic_depth: in training, mode "row" zeroes each
     * sample (row of dim 0) with probability p and "batch" the whole input, scaling what is kept by
     * 1 / (1 - p); identity when not training or p = 0. The draw uses the default generator
     * ({@link Torch#manualSeed}).
     */
    public static Tensor stochasticDepth(Tensor x, double p, String mode, boolean training) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(
                    "stochastic_depth: drop probability has to be between 0 and 1, but got " + p);
        }
        if (!"row".equals(mode) && !"batch".equals(mode)) {
            throw new IllegalArgumentException(
                    "stochastic_depth: mode has to be either 'batch' or 'row', but got " + mode);
        }
        if (!training || p == 0) {
            return x;
        }
        if (x.dim() == 0) {
            throw new IllegalArgumentException("stochastic_depth: expected an input (N, ...) with a batch dim, got "
                    + Shape.str(TensorInternals.shapeRef(x)));
        }
        int[] noiseShape = new int[x.dim()]; // (N, 1, ..., 1) per row, (1, ..., 1) for the batch
        java.util.Arrays.fill(noiseShape, 1);
        if ("row".equals(mode)) {
            noiseShape[0] = x.size(0);
        }
        if (p == 1) {
            return x.mul(Torch.zeros(x.dtype(), noiseShape));
        }
        return x.mul(DropoutMask.scaledKeep(Torch.rand(noiseShape), p, x.dtype()));
    }

    private static void checkProbability(String op, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(op + ": probability has to be between 0 and 1, but got " + p);
        }
    }

    /** Rows of weight (num, dim) picked by int64 indices: output (*indices.shape, dim). */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        int[] outShape = java.util.Arrays.copyOf(TensorInternals.shapeRef(indices), indices.dim() + 1);
        outShape[indices.dim()] = weight.size(1);
        return weight.indexSelect(0, indices.reshape(-1)).reshape(outShape);
    }

    /**
     * {@link #embedding(Tensor, Tensor)} where rows looked up at paddingIdx (if not null, in [0, num))
     * contribute no gradient to weight, like PyTorch's padding_idx: the lookup's values, with the gradient
     * multiplied by keep = (indices != paddingIdx) on the way back (an identity to tracers).
     */
    public static Tensor embedding(Tensor indices, Tensor weight, Integer paddingIdx) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException("embedding: expected int64 indices, got " + indices.dtype() + " "
                    + Shape.str(TensorInternals.shapeRef(indices)));
        }
        Tensor out = embedding(indices, weight);
        if (paddingIdx == null || !out.requiresGrad()) {
            return out;
        }
        Tensor keep = indices.ne((float) paddingIdx).to(out.dtype()).unsqueeze(-1);
        return dev.torchlet.autograd.Autograd.record(
                "EmbeddingPaddingBackward0", out.detach(), new Tensor[] {out}, new Tensor[] {keep}, (g, s) ->
                        new Tensor[] {g.mul(s[0])});
    }

    // ---------------------------------------------------------------- regression and binary losses

    private static void sameShape(String op, Tensor input, Tensor target) {
        if (!java.util.Arrays.equals(TensorInternals.shapeRef(input), TensorInternals.shapeRef(target))) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(TensorInternals.shapeRef(input))
                    + " and target " + Shape.str(TensorInternals.shapeRef(target)) + " must have the same shape");
        }
    }

    /** mean((x - y)^2). */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        sameShape("mse_loss", input, target);
        Tensor d = input.sub(target);
        return reduction.apply("mse_loss", d.mul(d));
    }

    /** mean(|x - y|). */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        sameShape("l1_loss", input, target);
        return reduction.apply("l1_loss", input.sub(target).abs());
    }

    /** 0.5 d^2 / beta where |d| &lt; beta, else |d| - 0.5 beta. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, float beta) {
        sameShape("smooth_l1_loss", input, target);
        if (beta < 0) {
            throw new IllegalArgumentException("smooth_l1_loss: beta must be non-negative, got " + beta);
        }
        Tensor d = input.sub(target).abs();
        if (beta == 0) {
            return reduction.apply("smooth_l1_loss", d);
        }
        Tensor small = d.lt(beta);
        Tensor quadratic = d.mul(d).mul(0.5f / beta);
        Tensor linear = d.sub(0.5f * beta);
        return reduction.apply("smooth_l1_loss", Torch.where(small, quadratic, linear));
    }

    /** 0.5 d^2 where |d| &lt;= delta, else delta (|d| - 0.5 delta). */
    public static Tensor huberLoss(Tensor input, Tensor target, Reduction reduction, float delta) {
        sameShape("huber_loss", input, target);
        if (delta <= 0) {
            throw new IllegalArgumentException("huber_loss: delta must be positive, got " + delta);
        }
        Tensor d = input.sub(target).abs();
        Tensor quadratic = d.mul(d).mul(0.5f);
        Tensor linear = d.sub(0.5f * delta).mul(delta);
        return reduction.apply("huber_loss", Torch.where(d.le(delta), quadratic, linear));
    }

    /**
     * Binary cross-entropy on probabilities: -w (y log x + (1 - y) log(1 - x)), logs clamped at
     * -100 like PyTorch.
     */
    public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        sameShape("binary_cross_entropy", input, target);
        Tensor logX = input.log().clampMin(-100f);
        Tensor log1mX = input.neg().add(1f).log().clampMin(-100f);
        Tensor loss = target.mul(logX).add(target.neg().add(1f).mul(log1mX)).neg();
        if (weight != null) {
            loss = loss.mul(weight);
        }
        return reduction.apply("binary_cross_entropy", loss);
    }

    /**
     * BCE on logits, stable form: (1 - y) x + (1 + (p - 1) y) * (log(1 + e^-|x|) + max(-x, 0)),
     * with p = posWeight (1 when null) and w = weight.
     */
    public static Tensor binaryCrossEntropyWithLogits(
            Tensor input, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
        sameShape("binary_cross_entropy_with_logits", input, target);
        Tensor logSigNeg = input.abs().neg().exp().add(1f).log().add(input.neg().relu()); // -log sigmoid(x)
        Tensor loss;
        if (posWeight == null) {
            loss = target.neg().add(1f).mul(input).add(logSigNeg);
        } else {
            Tensor logWeight = posWeight.sub(1f).mul(target).add(1f);
            loss = target.neg().add(1f).mul(input).add(logWeight.mul(logSigNeg));
        }
        if (weight != null) {
            loss = loss.mul(weight);
        }
        return reduction.apply("binary_cross_entropy_with_logits", loss);
    }

    /**
     * KL divergence with input as log-probabilities: target * (log target - input), 0 where
     * target = 0; with logTarget the target is given as log-probabilities: exp(t) (t - input).
     */
    public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
        Tensor loss;
        if (logTarget) {
            loss = target.exp().mul(target.sub(input));
        } else {
            Tensor safeLog =
                    Torch.where(target.gt(0f), target, Torch.onesLike(target)).log();
            loss = target.mul(safeLog.sub(input));
        }
        if (reduction == Reduction.BATCHMEAN) {
            return loss.sum().div((float) (input.dim() == 0 ? 1 : input.size(0)));
        }
        return reduction.apply("kl_div", loss);
    }

    /** max(d(a, p) - d(a, n) + margin, 0) with d the p-norm distance ||x - y + eps|| over the last dim. */
    public static Tensor tripletMarginLoss(
            Tensor anchor,
            Tensor positive,
            Tensor negative,
            float margin,
            float p,
            float eps,
            boolean swap,
            Reduction reduction) {
        Tensor dPos = pairwiseDistance(anchor, positive, p, eps);
        Tensor dNeg = pairwiseDistance(anchor, negative, p, eps);
        if (swap) {
            dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p, eps));
        }
        return reduction.apply("triplet_margin_loss", dPos.sub(dNeg).add(margin).relu());
    }

    /** ||x1 - x2 + eps||_p over the last dim, like torch.nn.functional.pairwise_distance. */
    public static Tensor pairwiseDistance(Tensor x1, Tensor x2, float p, float eps) {
        return x1.sub(x2).add(eps).norm(p, -1, false);
    }

    /** cos(x1, x2) along dim: x1.x2 / max(||x1|| ||x2||, eps). */
    public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int dim, float eps) {
        Tensor dot = x1.mul(x2).sum(dim, false);
        Tensor n1 = x1.mul(x1).sum(dim, false);
        Tensor n2 = x2.mul(x2).sum(dim, false);
        return dot.div(n1.mul(n2).clampMin(eps * eps).sqrt());
    }

    /** 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1. */
    public static Tensor cosineEmbeddingLoss(Tensor x1, Tensor x2, Tensor y, float margin, Reduction reduction) {
        // PyTorch's formula: cos = sum(x1*x2) / sqrt((sum(x1^2) + eps) (sum(x2^2) + eps)), eps = 1e-12
        float eps = 1e-12f;
        int d = x1.dim() - 1;
        Tensor dot = x1.mul(x2).sum(d, false);
        Tensor m1 = x1.mul(x1).sum(d, false).add(eps);
        Tensor m2 = x2.mul(x2).sum(d, false).add(eps);
        Tensor cos = dot.div(m1.mul(m2).sqrt());
        Tensor pos = cos.neg().add(1f);
        Tensor neg = cos.sub(margin).relu();
        Tensor yf = y.to(x1.dtype());
        Tensor loss = Torch.where(yf.eq(1f), pos, Torch.zerosLike(pos))
                .add(Torch.where(yf.eq(-1f), neg, Torch.zerosLike(neg)));
        return reduction.apply("cosine_embedding_loss", loss);
    }

    // ---------------------------------------------------------------- convolution, pooling, normalization

    /** x (N, Cin, H, W), weight (Cout, Cin/groups, kH, kW), bias (Cout) or null. */
    public static Tensor conv2d(
            Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Convolution.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(x, weight, bias, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, 1);
    }

    public static Tensor conv1d(
            Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return Convolution.conv1d(x, weight, bias, stride, padding, dilation, groups);
    }

    /** x (N, Cin, H, W), weight (Cin, Cout/groups, kH, kW). */
    public static Tensor convTranspose2d(
            Tensor x,
            Tensor weight,
            Tensor bias,
            int[] stride,
            int[] padding,
            int[] outputPadding,
            int groups,
            int[] dilation) {
        return Convolution.convTranspose2d(x, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    public static Tensor maxPool2d(Tensor x, int kernel) {
        return Pooling.maxPool2d(x, kernel);
    }

    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return maxPool2d(x, kernel, stride, padding, 1, false);
    }

    /** Max over square windows of (N, C, H, W) or (C, H, W), PyTorch's max_pool2d arguments. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return Pooling.maxPool2d(
                x, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {dilation}, ceilMode);
    }

    /** Max over windows of a sequence (N, C, L) or (C, L). */
    public static Tensor maxPool1d(Tensor x, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return Pooling.maxPool1d(x, kernel, stride, padding, dilation, ceilMode);
    }

    public static Tensor avgPool2d(Tensor x, int kernel) {
        return Pooling.avgPool2d(x, kernel);
    }

    /** Mean over square windows; countIncludePad counts the zero padding in the divisor (PyTorch's default). */
    public static Tensor avgPool2d(
            Tensor x, int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        return Pooling.avgPool2d(
                x, new int[] {kernel}, new int[] {stride}, new int[] {padding}, ceilMode, countIncludePad);
    }

    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return Pooling.adaptiveAvgPool2d(x, outH, outW);
    }

    /** Max into a fixed (outH, outW) grid whatever the input size. */
    public static Tensor adaptiveMaxPool2d(Tensor x, int outH, int outW) {
        return Pooling.adaptiveMaxPool2d(x, outH, outW);
    }

    public static Tensor batchNorm(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor weight,
            Tensor bias,
            boolean training,
            double momentum,
            double eps) {
        return Normalization.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return Normalization.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        return Normalization.groupNorm(x, numGroups, weight, bias, eps);
    }

    /**
     * silu(groupNorm(x, ...)) as one op: the same values and gradients, without the normalized tensor in between
     * (a diffusion U-Net's blocks run this pair; {@link dev.torchlet.nn.GroupNorm#forwardSilu}).
     */
    public static Tensor groupNormSilu(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        return Normalization.groupNormSilu(x, numGroups, weight, bias, eps);
    }

    /**
     * silu(groupNorm(x + shift[:, :, None, None], ...)) with shift (N, C) as one op, x + shift never stored: a
     * diffusion U-Net's convolution output plus its timestep embedding's projection, normalized (values within float
     * rounding of add then {@link #groupNormSilu(Tensor, int, Tensor, Tensor, double)}).
     */
    public static Tensor groupNormSilu(Tensor x, Tensor shift, int numGroups, Tensor weight, Tensor bias, double eps) {
        return Normalization.groupNormSilu(x, shift, numGroups, weight, bias, eps);
    }

    /**
     * Layer norm over the channels of (N, C, H, W) at every position (N, :, h, w), like torchvision's
     * {@code LayerNorm2d}: permute to (N, H, W, C), layer_norm over C, permute back. y has x's shape;
     * weight and bias (C) may be null.
     */
    public static Tensor layerNorm2d(Tensor x, Tensor weight, Tensor bias, double eps) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(
                    "layer_norm2d: expected input (N, C, H, W), got " + Shape.str(TensorInternals.shapeRef(x)));
        }
        Tensor y = x.permute(0, 2, 3, 1); // (N, H, W, C)
        y = Normalization.layerNorm(y, new int[] {x.size(1)}, weight, bias, eps);
        return y.permute(0, 3, 1, 2); // (N, C, H, W)
    }

    // ---------------------------------------------------------------- token sequences (ViT)

    /**
     * Prepends a learned class token to a token sequence, as torchvision's VisionTransformer does with
     * its {@code class_token}: x (N, L, D), token (1, 1, D) -&gt; (N, L + 1, D) with the token at
     * position 0 of every sample. The token's gradient is the sum over the batch of the output
     * gradient at position 0.
     */
    public static Tensor prependClassToken(Tensor x, Tensor token) {
        int[] ts = TensorInternals.shapeRef(token);
        if (ts.length != 3 || ts[0] != 1 || ts[1] != 1) {
            throw new IllegalArgumentException(
                    "class_token: expected a token of shape (1, 1, D), got " + Shape.str(ts));
        }
        if (x.dim() != 3 || x.size(2) != ts[2]) {
            throw new IllegalArgumentException("class_token: expected input (N, L, " + ts[2] + ") for the token "
                    + Shape.str(ts) + ", got " + Shape.str(TensorInternals.shapeRef(x)));
        }
        Tensor tokens = token.expand(x.size(0), 1, ts[2]); // (N, 1, D), a view
        return Torch.cat(List.of(tokens, x), 1); // (N, L + 1, D)
    }

    /**
     * Adds a learned position embedding, as torchvision's ViT encoder does with its
     * {@code pos_embedding}: x (N, L, D) + embedding (1, L, D) -&gt; (N, L, D); the embedding's
     * gradient is the output gradient summed over the batch. Sequence length and width must match.
     */
    public static Tensor addPositionEmbedding(Tensor x, Tensor embedding) {
        int[] es = TensorInternals.shapeRef(embedding);
        if (es.length != 3 || es[0] != 1) {
            throw new IllegalArgumentException(
                    "pos_embedding: expected an embedding of shape (1, L, D), got " + Shape.str(es));
        }
        if (x.dim() != 3 || x.size(1) != es[1] || x.size(2) != es[2]) {
            throw new IllegalArgumentException("pos_embedding: expected input (N, " + es[1] + ", " + es[2]
                    + ") for the embedding " + Shape.str(es) + ", got " + Shape.str(TensorInternals.shapeRef(x)));
        }
        return x.add(embedding);
    }

    /** Resize (N, C, H, W) to size (outH, outW), mode "nearest" or "bilinear". */
    public static Tensor interpolate(Tensor x, int[] size, String mode, boolean alignCorners) {
        return interpolate(x, size, null, mode, alignCorners);
    }

    /** Resize (N, C, H, W) by scale factors. */
    public static Tensor interpolate(Tensor x, double scaleFactor, String mode, boolean alignCorners) {
        return interpolate(x, null, new double[] {scaleFactor, scaleFactor}, mode, alignCorners);
    }

    /** Resize (N, C, H, W) to size (outH, outW) or by scale factors (sh, sw): exactly one of them non-null. */
    public static Tensor interpolate(Tensor x, int[] size, double[] scaleFactor, String mode, boolean alignCorners) {
        return Interpolation.interpolate(x, size, scaleFactor, mode, alignCorners);
    }

    // ---------------------------------------------------------------- generative building blocks

    /** Rearranges (*, C r^2, H, W) to (*, C, H r, W r), as torch.nn.functional.pixel_shuffle. */
    public static Tensor pixelShuffle(Tensor x, int upscaleFactor) {
        return GenerativeFunctions.pixelShuffle(x, upscaleFactor);
    }

    /** The inverse of {@link #pixelShuffle}: (*, C, H r, W r) to (*, C r^2, H, W). */
    public static Tensor pixelUnshuffle(Tensor x, int downscaleFactor) {
        return GenerativeFunctions.pixelUnshuffle(x, downscaleFactor);
    }

    /**
     * Instance normalization of (N, C, *spatial), as torch.nn.functional.instance_norm: every (n, c) plane is
     * normalized with its own mean and biased variance (useInputStats), or with the running statistics
     * (useInputStats false). With useInputStats and running statistics given, these are updated in place:
     * running = (1 - momentum) running + momentum * mean over the batch of the per-instance statistics (the
     * variance unbiased). weight and bias (C) or null.
     */
    public static Tensor instanceNorm(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor weight,
            Tensor bias,
            boolean useInputStats,
            double momentum,
            double eps) {
        return GenerativeFunctions.instanceNorm(x, runningMean, runningVar, weight, bias, useInputStats, momentum, eps);
    }

    /** x / max(||x||_p along dim, eps), as torch.nn.functional.normalize. */
    public static Tensor normalize(Tensor x, double p, int dim, double eps) {
        return GenerativeFunctions.normalize(x, p, dim, eps);
    }

    /**
     * Spectral normalization of a weight, as torch.nn.utils.spectral_norm's forward: with W the weight as a
     * matrix (size(dim), rest), and when {@code update}, {@code nPowerIterations} power-iteration steps
     * v = normalize(W^T u), u = normalize(W v) (no gradient; u (size(dim)) and v (rest) are updated in place);
     * then returns weight / sigma with sigma = u . (W v), u and v constants for autograd.
     */
    public static Tensor spectralNorm(
            Tensor weight, Tensor u, Tensor v, int dim, int nPowerIterations, double eps, boolean update) {
        return GenerativeFunctions.spectralNorm(weight, u, v, dim, nPowerIterations, eps, update);
    }

    /**
     * Sinusoidal timestep embeddings (N) to (N, dim) with the defaults of diffusers' get_timestep_embedding,
     * which are the DDPM paper's: [sin(t f_0), ..., sin(t f_{h-1}), cos(t f_0), ..., cos(t f_{h-1})],
     * h = dim / 2, f_i = 10000^(-i / (h - 1)); a zero column is appended when dim is odd.
     */
    public static Tensor timestepEmbedding(Tensor timesteps, int dim) {
        return timestepEmbedding(timesteps, dim, false, 1, 1, 10000);
    }

    /**
     * Sinusoidal timestep embeddings with all of diffusers' get_timestep_embedding options:
     * f_i = maxPeriod^(-i / (h - downscaleFreqShift)), arguments scale * t * f_i, sin half first
     * (or cos first when flipSinToCos; diffusers' UNet2DModel uses flipSinToCos true, shift 0).
     * Computed in float32 whatever the dtype of the timesteps (int64 or float).
     */
    public static Tensor timestepEmbedding(
            Tensor timesteps,
            int dim,
            boolean flipSinToCos,
            double downscaleFreqShift,
            double scale,
            double maxPeriod) {
        return GenerativeFunctions.timestepEmbedding(
                timesteps, dim, flipSinToCos, downscaleFreqShift, scale, maxPeriod);
    }

    // ---------------------------------------------------------------- classification losses

    /** Cross-entropy of logits (N, C) against int64 class indices (N), mean over the batch. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return Losses.crossEntropy(logits, target);
    }

    /**
     * Cross-entropy with PyTorch's options: class weights (or null), ignoreIndex (-100 by default),
     * label smoothing in [0, 1]; target int64 indices or float class probabilities.
     */
    public static Tensor crossEntropy(
            Tensor logits, Tensor target, Tensor weight, long ignoreIndex, double labelSmoothing, Reduction reduction) {
        return Losses.crossEntropy(logits, target, weight, ignoreIndex, labelSmoothing, reductionName(reduction));
    }

    /** Negative log-likelihood of log-probabilities (N, C) at int64 targets (N). */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
        return Losses.nllLoss(logProbs, target, weight, ignoreIndex, reductionName(reduction));
    }

    /** The default ignoreIndex of cross entropy and NLL: -100, as in PyTorch. */
    public static final long IGNORE_INDEX = Losses.IGNORE_INDEX;

    // ---------------------------------------------------------------- recurrent and attention blocks

    /** The cell of a recurrent layer (PyTorch's modes: LSTM, GRU, RNN_TANH, RNN_RELU). */
    public enum RecurrentCell {
        LSTM(Recurrent.LSTM),
        GRU(Recurrent.GRU),
        RNN_TANH(Recurrent.RNN_TANH),
        RNN_RELU(Recurrent.RNN_RELU);

        private final int mode;

        RecurrentCell(int mode) {
            this.mode = mode;
        }

        /** Gates per step: 4 (LSTM), 3 (GRU), 1 (RNN). */
        public int gates() {
            return this == LSTM ? 4 : this == GRU ? 3 : 1;
        }
    }

    /**
     * One recurrent layer over a whole sequence (the fused op with a backward through time):
     * h_t = cell(xp_t + b_ih + h_{t-1} W_hh^T + b_hh). Returns the output (B, T, H), h_n (B, H) and,
     * for LSTM, c_n (B, H).
     *
     * @param layer name for error messages ("LSTM")
     * @param xp    (B, T, G*H) input projection x W_ih^T of every step, without bias
     * @param h0    (B, H); c0 (B, H) for LSTM, else null; whh (G*H, H); bih, bhh (G*H) or null
     */
    public static Recurrent.Result recurrent(
            String layer, RecurrentCell cell, Tensor xp, Tensor h0, Tensor c0, Tensor whh, Tensor bih, Tensor bhh) {
        return Recurrent.sequence(layer, cell.mode, xp, h0, c0, whh, bih, bhh);
    }

    /**
     * One direction of a recurrent layer over a batch-first sequence, as PyTorch runs it: the input
     * projection of all steps in one product, then the recurrence (the fused op; for an LSTM with a
     * projection W_hr, step by step). {@code reverse} runs each sequence from its last valid step to its
     * first (the backward direction of a bidirectional layer); outputs stay at their time positions.
     *
     * @param x       (B, T, in)
     * @param lengths valid steps per sequence, in decreasing order (a packed batch), or null for all T;
     *                outputs at padding steps are zero, h_n/c_n are the states at each sequence's last step
     * @param h0      (B, Hr) with Hr = P if whr is given, else H; c0 (B, H) for LSTM, else null
     * @param wih     (G*H, in); whh (G*H, Hr); bih, bhh (G*H) or null; whr (P, H) (LSTM only) or null
     * @return output (B, T, Hr), h_n (B, Hr), c_n (B, H) or null
     */
    public static Recurrent.Result recurrentDirection(
            String layer,
            RecurrentCell cell,
            Tensor x,
            int[] lengths,
            boolean reverse,
            Tensor h0,
            Tensor c0,
            Tensor wih,
            Tensor whh,
            Tensor bih,
            Tensor bhh,
            Tensor whr) {
        if (whr != null && cell != RecurrentCell.LSTM) {
            throw new IllegalArgumentException(layer + ": a projection (W_hr) applies to LSTM only, got " + cell);
        }
        return RecurrentSequences.direction(layer, cell, x, lengths, reverse, h0, c0, wih, whh, bih, bhh, whr);
    }

    /** RNNCell: h' = tanh or relu(x W_ih^T + b_ih + h W_hh^T + b_hh); x (B, in) or (in); h like x's batch or null. */
    public static Tensor rnnCell(Tensor x, Tensor h, Tensor wih, Tensor whh, Tensor bih, Tensor bhh, boolean relu) {
        return RecurrentSequences.cell(
                        "RNNCell",
                        relu ? RecurrentCell.RNN_RELU : RecurrentCell.RNN_TANH,
                        x,
                        h,
                        null,
                        wih,
                        whh,
                        bih,
                        bhh)
                .hn();
    }

    /** GRUCell: one GRU step (gates r, z, n); x (B, in) or (in); h (B, H) or (H) or null for zeros. */
    public static Tensor gruCell(Tensor x, Tensor h, Tensor wih, Tensor whh, Tensor bih, Tensor bhh) {
        return RecurrentSequences.cell("GRUCell", RecurrentCell.GRU, x, h, null, wih, whh, bih, bhh)
                .hn();
    }

    /** LSTMCell: one LSTM step; returns h' as output and hn, and c' as cn. h, c (B, H) or (H) or null for zeros. */
    public static Recurrent.Result lstmCell(
            Tensor x, Tensor h, Tensor c, Tensor wih, Tensor whh, Tensor bih, Tensor bhh) {
        return RecurrentSequences.cell("LSTMCell", RecurrentCell.LSTM, x, h, c, wih, whh, bih, bhh);
    }

    /**
     * Packs a padded batch of variable-length sequences (PyTorch's {@code pack_padded_sequence}).
     *
     * @param input         (T, B, *) or, if batchFirst, (B, T, *)
     * @param lengths       valid steps of each sequence, each in [1, T]
     * @param enforceSorted if true, lengths must be in decreasing order (sortedIndices stay null);
     *                      if false, the sequences are sorted here and the permutation is recorded
     */
    public static PackedSequence packPaddedSequence(
            Tensor input, int[] lengths, boolean batchFirst, boolean enforceSorted) {
        return RecurrentSequences.pack(input, lengths, batchFirst, enforceSorted);
    }

    /** The same with lengths as a 1-D integer tensor. */
    public static PackedSequence packPaddedSequence(
            Tensor input, Tensor lengths, boolean batchFirst, boolean enforceSorted) {
        if (lengths.dim() != 1 || lengths.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("packPaddedSequence: lengths must be a 1-D integer tensor, got "
                    + lengths.dtype() + " " + Shape.str(TensorInternals.shapeRef(lengths)));
        }
        long[] l = lengths.toLongArray();
        int[] li = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            li[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l[i]));
        }
        return RecurrentSequences.pack(input, li, batchFirst, enforceSorted);
    }

    /** Unpacks to a zero-padded batch in the original order, T = the longest sequence (PyTorch's defaults). */
    public static PackedSequence.Padded padPackedSequence(PackedSequence sequence, boolean batchFirst) {
        return RecurrentSequences.pad(sequence, batchFirst, 0, 0, true);
    }

    /** {@code pad_packed_sequence} with a padding value and a total length (0: the longest sequence). */
    public static PackedSequence.Padded padPackedSequence(
            PackedSequence sequence, boolean batchFirst, double paddingValue, int totalLength) {
        return RecurrentSequences.pad(sequence, batchFirst, paddingValue, totalLength, true);
    }

    /** The packed batch as a zero-padded batch-first (B, T, *) tensor in its sorted order (what layers run on). */
    public static Tensor packedToSortedPadded(PackedSequence sequence) {
        return RecurrentSequences.pad(sequence, true, 0, 0, false).padded();
    }

    /** A batch-first (B, T, *) tensor in the sorted order of {@code like}, packed with like's batch sizes. */
    public static PackedSequence sortedPaddedToPacked(Tensor padded, PackedSequence like) {
        return like.withData(RecurrentSequences.packSorted(padded, like));
    }

    /**
     * Multi-head scaled dot-product self-attention on a packed projection, fused (no (B, heads, T, T)
     * tensors in the graph): softmax(q k^T / sqrt(E / heads) + mask) v per head, heads merged back.
     *
     * @param qkv  (B*T, 3E): columns [0, E) are Q, [E, 2E) K, [2E, 3E) V
     * @param mask additive float (1 or B, T, T) or null
     * @param p    dropout on the attention weights when training
     * @return (B*T, E)
     */
    public static Tensor multiHeadSelfAttention(
            Tensor qkv, int batch, int heads, Tensor mask, double p, boolean training) {
        return Attention.selfAttention(qkv, batch, heads, mask, p, training);
    }

    /**
     * The same for separate projections: q (B*Tq, E), k and v (B*Tk, E); mask additive float
     * (1 or B, Tq, Tk) or null. Returns (B*Tq, E).
     */
    public static Tensor multiHeadAttention(
            Tensor q, Tensor k, Tensor v, int batch, int heads, Tensor mask, double p, boolean training) {
        return Attention.attention(q, k, v, batch, heads, mask, p, training);
    }

    // ---------------------------------------------------------------- scaled dot-product attention, positions

    /**
     * PyTorch 2's {@code scaled_dot_product_attention}: {@code dropout(softmax(Q K^T / sqrt(E) + mask)) V}
     * on query (..., L, E), key (..., S, E), value (..., S, Ev), returning (..., L, Ev).
     *
     * @param attnMask null, bool broadcastable to (..., L, S) where true = the key takes part
     *                 (PyTorch 2's meaning; MultiheadAttention's bool masks mean the opposite), or a
     *                 float mask added to the scores
     * @param dropoutP dropout on the attention weights, applied whenever p > 0 (as PyTorch: pass 0 in eval)
     * @param isCausal hide key j from query i when j > i (not together with attnMask)
     */
    public static Tensor scaledDotProductAttention(
            Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal) {
        return ScaledDotProductAttention.apply(q, k, v, attnMask, dropoutP, isCausal, Double.NaN);
    }

    /** The same with an explicit factor on Q K^T instead of 1/sqrt(E) (PyTorch 2.1's {@code scale}). */
    public static Tensor scaledDotProductAttention(
            Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal, double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scaled_dot_product_attention: scale must be positive, got " + scale);
        }
        return ScaledDotProductAttention.apply(q, k, v, attnMask, dropoutP, isCausal, scale);
    }

    /**
     * The fixed sinusoidal position table (T, D) of "Attention Is All You Need", rows for positions
     * {@code offset .. offset+T-1}: {@code pe[pos, 2i] = sin(pos / 10000^(2i/D))},
     * {@code pe[pos, 2i+1] = cos(pos / 10000^(2i/D))}.
     */
    public static Tensor sinusoidalPositions(int t, int d, int offset) {
        if (t < 0 || d <= 0 || offset < 0) {
            throw new IllegalArgumentException(
                    "sinusoidal_positions: expected T >= 0, D > 0, offset >= 0, got " + t + ", " + d + ", " + offset);
        }
        float[] pe = new float[t * d];
        for (int i = 0; i < d; i += 2) {
            // as PyTorch's tutorial computes it in float32: exp(2i * -ln(10000) / D)
            float div = (float) Math.exp((float) i * (float) (-Math.log(10000.0) / d));
            for (int pos = 0; pos < t; pos++) {
                float a = (float) (offset + pos) * div;
                pe[pos * d + i] = (float) Math.sin(a);
                if (i + 1 < d) {
                    pe[pos * d + i + 1] = (float) Math.cos(a);
                }
            }
        }
        return Torch.tensor(pe, t, d);
    }

    /**
     * Rotary position embedding (RoPE) in the rotate-half layout of GPT-NeoX and Llama, over the last
     * dim D (even) of x (..., T, D), positions {@code offset .. offset+T-1}:
     * <pre>
     *   theta_i = base^(-2i/D), i < D/2;  angle(pos, i) = pos * theta_i
     *   y[..., i]       = x[..., i] cos(angle) - x[..., i + D/2] sin(angle)
     *   y[..., i + D/2] = x[..., i + D/2] cos(angle) + x[..., i] sin(angle)
     * </pre>
     * Applied to queries and keys, it makes q.k depend on positions only through their difference.
     */
    public static Tensor rotaryEmbedding(Tensor x, int offset, double base) {
        int[] s = TensorInternals.shapeRef(x);
        if (s.length < 2 || s[s.length - 1] % 2 != 0 || offset < 0 || !(base > 0)) {
            throw new IllegalArgumentException("rotary_embedding: expected x (..., T, D) with D even, offset >= 0"
                    + " and base > 0, got " + Shape.str(s) + ", offset " + offset + ", base " + base);
        }
        int t = s[s.length - 2];
        int d = s[s.length - 1];
        int h = d / 2;
        float[] cos = new float[t * d];
        float[] sin = new float[t * d];
        for (int i = 0; i < h; i++) {
            float theta = (float) (1.0 / Math.pow(base, (float) (2 * i) / d));
            for (int pos = 0; pos < t; pos++) {
                float a = (float) (offset + pos) * theta;
                cos[pos * d + i] = cos[pos * d + i + h] = (float) Math.cos(a);
                sin[pos * d + i] = sin[pos * d + i + h] = (float) Math.sin(a);
            }
        }
        Tensor c = Torch.tensor(cos, t, d);
        Tensor sn = Torch.tensor(sin, t, d);
        if (x.dtype() != DType.FLOAT32) {
            c = c.to(x.dtype());
            sn = sn.to(x.dtype());
        }
        Tensor rotated = Torch.cat(
                java.util.List.of(x.narrow(s.length - 1, h, h).neg(), x.narrow(s.length - 1, 0, h)), s.length - 1);
        return x.mul(c).add(rotated.mul(sn));
    }

    private static String reductionName(Reduction r) {
        if (r == Reduction.BATCHMEAN) {
            throw new IllegalArgumentException("reduction 'batchmean' is only valid for kl_div");
        }
        return r.name().toLowerCase(java.util.Locale.ROOT);
    }
}
