package dev.torchlet.nn;

import static dev.torchlet.testing.Golden.assertClose;

import dev.torchlet.DType;
import dev.torchlet.Tensor;
import dev.torchlet.nn.functional.F;
import dev.torchlet.testing.Golden;
import dev.torchlet.testing.GradCheck;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Linear and the composite losses against torch.nn.functional (tools/golden/gen_nn.py): value and
 * input gradient for reductions mean, sum and none. Tolerance atol 1e-5, rtol 1e-4 (float32).
 */
class LossGoldenTest {
    private static Tensor g(String key) {
        return Golden.get("nn", key);
    }

    @Test
    void linearForwardAndGradients() {
        Linear lin = new Linear(5, 3);
        lin.loadStateDict(java.util.Map.of("weight", g("linear.weight"), "bias", g("linear.bias")));
        Tensor x = g("linear.x").clone().requiresGrad(true);
        Tensor y = lin.forward(x);
        assertClose(g("linear.y"), y, 1e-5, 1e-4, "linear output");
        y.backward(g("linear.gy"));
        assertClose(g("linear.gx"), x.grad(), 1e-5, 1e-4, "linear input grad");
        assertClose(g("linear.gw"), lin.weight().grad(), 1e-5, 1e-4, "linear weight grad");
        assertClose(g("linear.gb"), lin.bias().grad(), 1e-5, 1e-4, "linear bias grad");
    }

    /** fn(input, reduction) for the three reductions, against value and gradient. */
    private static void check(String name, BiFunction<Tensor, Reduction, Tensor> fn) {
        for (String red : new String[] {"mean", "sum", "none"}) {
            Tensor in = g("loss." + name + ".input").clone().requiresGrad(true);
            Tensor out = fn.apply(in, Reduction.of(red));
            assertClose(g("loss." + name + "." + red + ".out"), out, 1e-5, 1e-4, name + " " + red);
            out.backward(g("loss." + name + "." + red + ".g").reshape(out.shape()));
            assertClose(g("loss." + name + "." + red + ".grad"), in.grad(), 1e-5, 1e-4, name + " " + red + " grad");
        }
    }

    private static Tensor arg(String name, int k) {
        return g("loss." + name + ".arg" + k);
    }

    @Test
    void regressionLosses() {
        check("mse", (i, r) -> F.mseLoss(i, arg("mse", 0), r));
        check("l1", (i, r) -> F.l1Loss(i, arg("l1", 0), r));
        check("smooth_l1", (i, r) -> F.smoothL1Loss(i, arg("smooth_l1", 0), r, 0.5f));
        check("huber", (i, r) -> F.huberLoss(i, arg("huber", 0), r, 0.7f));
    }

    @Test
    void binaryLosses() {
        check("bce", (i, r) -> F.binaryCrossEntropy(i, arg("bce", 0), arg("bce", 1), r));
        check(
                "bce_logits",
                (i, r) -> F.binaryCrossEntropyWithLogits(
                        i, arg("bce_logits", 0), arg("bce_logits", 1), arg("bce_logits", 2), r));
    }

    @Test
    void klDivergence() {
        check("kl_div", (i, r) -> F.klDiv(i, arg("kl_div", 0), r, false));
        Tensor in = g("loss.kl_div.input").clone().requiresGrad(true);
        Tensor out = new KLDivLoss(Reduction.BATCHMEAN, false).forward(in, arg("kl_div", 0));
        assertClose(g("loss.kl_div.batchmean.out"), out, 1e-6, 1e-4, "kl_div batchmean");
        out.backward();
        assertClose(g("loss.kl_div.batchmean.grad"), in.grad(), 1e-6, 1e-4, "kl_div batchmean grad");
        Tensor in2 = g("loss.kl_div.input").clone().requiresGrad(true);
        Tensor out2 = F.klDiv(in2, arg("kl_div", 0).log(), Reduction.SUM, true);
        assertClose(g("loss.kl_div.logtarget.out"), out2, 1e-5, 1e-4, "kl_div log_target");
        out2.backward();
        assertClose(g("loss.kl_div.logtarget.grad"), in2.grad(), 1e-5, 1e-4, "kl_div log_target grad");
    }

    @Test
    void embeddingLosses() {
        check(
                "triplet",
                (i, r) -> F.tripletMarginLoss(i, arg("triplet", 0), arg("triplet", 1), 1f, 2f, 1e-6f, false, r));
        check(
                "cosine_embedding",
                (i, r) -> F.cosineEmbeddingLoss(i, arg("cosine_embedding", 0), arg("cosine_embedding", 1), 0.2f, r));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor a = g("loss.mse.input");
        Tensor b = g("loss.mse.arg0").to(DType.FLOAT64);
        GradCheck.check(
                "mse",
                x -> F.mseLoss(x[0], b, Reduction.MEAN),
                a.requiresGrad(false).clone().requiresGrad(true));
        GradCheck.check(
                "huber",
                x -> F.huberLoss(x[0], b, Reduction.SUM, 0.7f),
                a.clone().requiresGrad(true));
        Tensor t = arg("bce_logits", 0).to(DType.FLOAT64);
        GradCheck.check(
                "bce_logits",
                x -> F.binaryCrossEntropyWithLogits(x[0], t, null, null, Reduction.MEAN),
                a.clone().requiresGrad(true));
        Tensor p = arg("triplet", 0).to(DType.FLOAT64);
        Tensor n = arg("triplet", 1).to(DType.FLOAT64);
        GradCheck.check(
                "triplet",
                x -> F.tripletMarginLoss(x[0], p, n, 1f, 2f, 1e-6f, false, Reduction.SUM),
                a.clone().requiresGrad(true));
    }
}
