package dev.torchlet.optim;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.Tensor;
import dev.torchlet.testing.Golden;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Options records of the optimizers: torch.optim's defaults, with... methods, validation messages,
 * and that the options path follows PyTorch's trajectories (the fixtures of OptimizerGoldenTest) and
 * the old positional constructors' exactly.
 */
class OptimizerOptionsTest {
    private static Tensor g(String key) {
        return Golden.get("optim", key);
    }

    private static void assertBad(String message, Executable e) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
    }

    /** 10 steps of OptimizerGoldenTest's loss, sum(tanh(data @ w + b)^2) + 0.1 sum(w^2); returns {w, b}. */
    private static Tensor[] trajectory(Function<List<Tensor>, Optimizer> make) {
        Tensor w = g("w0").clone().requiresGrad(true);
        Tensor b = g("b0").clone().requiresGrad(true);
        Tensor data = g("data");
        Optimizer opt = make.apply(List.of(w, b));
        for (int i = 0; i < 10; i++) {
            opt.zeroGrad();
            data.matmul(w)
                    .add(b)
                    .tanh()
                    .pow(2f)
                    .sum()
                    .add(w.pow(2f).sum().mul(0.1f))
                    .backward();
            opt.step();
        }
        return new Tensor[] {w.detach(), b.detach()};
    }

    /** Matches PyTorch's trajectory (atol 1e-5, rtol 1e-4) and the old constructor's bit for bit. */
    private static void assertTrajectory(
            String golden, Function<List<Tensor>, Optimizer> old, Function<List<Tensor>, Optimizer> options) {
        Tensor[] a = trajectory(options);
        assertClose(g(golden + ".w"), a[0], 1e-5, 1e-4, golden + " w");
        assertClose(g(golden + ".b"), a[1], 1e-5, 1e-4, golden + " b");
        Tensor[] b = trajectory(old);
        assertClose(b[0], a[0], 0, 0, golden + " w, old constructor");
        assertClose(b[1], a[1], 0, 0, golden + " b, old constructor");
    }

    private static List<ParamGroup> one(List<Tensor> p) {
        return List.of(ParamGroup.of(p));
    }

    // ---------------------------------------------------------------- defaults and with... methods

    @Test
    void defaultsAreTorchOptims() {
        assertEquals(new SGDOptions(0.1, 0, 0, 0, false), SGDOptions.of(0.1));
        assertEquals(new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0, false, false), AdamOptions.defaults());
        assertEquals(new AdamOptions(0.01, 0.9, 0.999, 1e-8, 0, false, false), AdamOptions.of(0.01));
        assertEquals(new AdamOptions(1e-3, 0.9, 0.999, 1e-8, 0.01, false, true), AdamOptions.adamW());
        assertEquals(new AdamOptions(0.01, 0.9, 0.999, 1e-8, 0.01, false, true), AdamOptions.adamW(0.01));
        assertEquals(new RMSpropOptions(1e-2, 0.99, 1e-8, 0, 0, false), RMSpropOptions.defaults());
        assertEquals(new RMSpropOptions(0.5, 0.99, 1e-8, 0, 0, false), RMSpropOptions.of(0.5));
        assertEquals(new AdagradOptions(1e-2, 0, 0, 0, 1e-10), AdagradOptions.defaults());
        assertEquals(new AdagradOptions(0.5, 0, 0, 0, 1e-10), AdagradOptions.of(0.5));
    }

    @Test
    void withMethodsChangeOneField() {
        assertEquals(
                new SGDOptions(0.2, 0.9, 0, 5e-4, true),
                SGDOptions.of(0.1)
                        .withLr(0.2)
                        .withMomentum(0.9)
                        .withWeightDecay(5e-4)
                        .withNesterov(true));
        assertEquals(0.1, SGDOptions.of(0.1).withDampening(0.1).dampening());
        assertEquals(
                new AdamOptions(0.02, 0.8, 0.99, 1e-6, 0.1, true, true),
                AdamOptions.defaults()
                        .withLr(0.02)
                        .withBetas(0.8, 0.99)
                        .withEps(1e-6)
                        .withWeightDecay(0.1)
                        .withAmsgrad(true)
                        .withDecoupledWeightDecay(true));
        assertEquals(
                AdamOptions.defaults().withBetas(0.5, 0.6),
                AdamOptions.defaults().withBeta1(0.5).withBeta2(0.6));
        assertEquals(
                new RMSpropOptions(0.1, 0.9, 1e-6, 0.01, 0.5, true),
                RMSpropOptions.defaults()
                        .withLr(0.1)
                        .withAlpha(0.9)
                        .withEps(1e-6)
                        .withWeightDecay(0.01)
                        .withMomentum(0.5)
                        .withCentered(true));
        assertEquals(
                new AdagradOptions(0.1, 0.01, 0.02, 0.3, 1e-8),
                AdagradOptions.defaults()
                        .withLr(0.1)
                        .withLrDecay(0.01)
                        .withWeightDecay(0.02)
                        .withInitialAccumulatorValue(0.3)
                        .withEps(1e-8));
    }

    @Test
    void optionsRejectNonsenseNamingOptimizerFieldAndValue() {
        assertBad("SGD: invalid lr value: -0.1", () -> SGDOptions.of(-0.1));
        assertBad("SGD: invalid momentum value: NaN", () -> SGDOptions.of(0.1).withMomentum(Double.NaN));
        assertBad(
                "SGD: invalid weightDecay value: -1.0", () -> SGDOptions.of(0.1).withWeightDecay(-1));
        assertBad(
                "SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0.0 and dampening 0.0",
                () -> SGDOptions.of(0.1).withNesterov(true));
        assertBad(
                "SGD: nesterov needs momentum > 0 and dampening 0, got momentum 0.9 and dampening 0.1",
                () -> SGDOptions.of(0.1).withMomentum(0.9).withDampening(0.1).withNesterov(true));
        assertBad("Adam: invalid beta1 value: 1.5", () -> AdamOptions.defaults().withBeta1(1.5));
        assertBad("Adam: invalid beta2 value: 1.0", () -> AdamOptions.defaults().withBeta2(1.0));
        assertBad(
                "Adam: invalid eps value: -1.0E-8", () -> AdamOptions.defaults().withEps(-1e-8));
        assertBad("Adam: invalid lr value: Infinity", () -> AdamOptions.of(Double.POSITIVE_INFINITY));
        assertBad(
                "RMSprop: invalid alpha value: 1.0",
                () -> RMSpropOptions.defaults().withAlpha(1));
        assertBad(
                "RMSprop: invalid momentum value: -0.5",
                () -> RMSpropOptions.defaults().withMomentum(-0.5));
        assertBad(
                "Adagrad: invalid lrDecay value: -0.01",
                () -> AdagradOptions.defaults().withLrDecay(-0.01));
        assertBad(
                "Adagrad: invalid initialAccumulatorValue value: -1.0",
                () -> AdagradOptions.defaults().withInitialAccumulatorValue(-1));
    }

    @Test
    void adamWRefusesPlainAdamOptions() {
        Tensor w = g("w0").clone().requiresGrad(true);
        var e = assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(w), AdamOptions.of(0.01)));
        assertEquals(
                "AdamW: expected options with decoupledWeightDecay true (start from AdamOptions.adamW(lr)), got "
                        + AdamOptions.of(0.01),
                e.getMessage());
    }

    // ---------------------------------------------------------------- trajectories: options == old path == PyTorch

    @Test
    @SuppressWarnings("deprecation")
    void sgdTrajectories() {
        assertTrajectory("sgd", p -> new SGD(p, 0.1), p -> new SGD(p, SGDOptions.of(0.1)));
        assertTrajectory(
                "sgd_momentum",
                p -> new SGD(one(p), 0.05, 0.9, 0.1, 0.01, false),
                p -> new SGD(
                        p,
                        SGDOptions.of(0.05).withMomentum(0.9).withDampening(0.1).withWeightDecay(0.01)));
        assertTrajectory(
                "sgd_nesterov",
                p -> new SGD(one(p), 0.05, 0.9, 0, 0.001, true),
                p -> new SGD(
                        one(p),
                        SGDOptions.of(0.05)
                                .withMomentum(0.9)
                                .withWeightDecay(0.001)
                                .withNesterov(true)));
    }

    @Test
    @SuppressWarnings("deprecation")
    void adamFamilyTrajectories() {
        assertTrajectory("adam", p -> new Adam(p, 0.01), p -> new Adam(p, AdamOptions.of(0.01)));
        assertTrajectory(
                "adam_wd_amsgrad",
                p -> new Adam(one(p), 0.02, 0.8, 0.99, 1e-8, 0.1, true),
                p -> new Adam(
                        one(p),
                        AdamOptions.of(0.02)
                                .withBetas(0.8, 0.99)
                                .withWeightDecay(0.1)
                                .withAmsgrad(true)));
        assertTrajectory(
                "adamw",
                p -> new AdamW(p, 0.01, 0.05),
                p -> new AdamW(p, AdamOptions.adamW(0.01).withWeightDecay(0.05)));
        assertTrajectory(
                "adamw",
                p -> new AdamW(one(p), 0.01, 0.9, 0.999, 1e-8, 0.05, false),
                p -> new AdamW(one(p), AdamOptions.adamW(0.01).withWeightDecay(0.05)));
        // PyTorch 2.x: Adam(decoupled_weight_decay=True) is AdamW
        assertTrajectory(
                "adamw",
                p -> new AdamW(p, 0.01, 0.05),
                p -> new Adam(p, AdamOptions.adamW(0.01).withWeightDecay(0.05)));
    }

    @Test
    @SuppressWarnings("deprecation")
    void rmspropAndAdagradTrajectories() {
        assertTrajectory("rmsprop", p -> new RMSprop(p, 0.01), p -> new RMSprop(p, RMSpropOptions.defaults()));
        assertTrajectory(
                "rmsprop_centered_momentum",
                p -> new RMSprop(one(p), 0.01, 0.9, 1e-8, 0.01, 0.5, true),
                p -> new RMSprop(
                        p,
                        RMSpropOptions.of(0.01)
                                .withAlpha(0.9)
                                .withWeightDecay(0.01)
                                .withMomentum(0.5)
                                .withCentered(true)));
        assertTrajectory(
                "adagrad",
                p -> new Adagrad(one(p), 0.1, 0.01, 0.01, 0.1, 1e-10),
                p -> new Adagrad(
                        one(p),
                        AdagradOptions.of(0.1)
                                .withLrDecay(0.01)
                                .withWeightDecay(0.01)
                                .withInitialAccumulatorValue(0.1)));
    }

    // ---------------------------------------------------------------- options as the groups' defaults

    @Test
    void optionsAreEveryGroupsDefaultsAndAGroupsOwnSettingWins() {
        Tensor a = g("w0").clone().requiresGrad(true);
        Tensor b = g("b0").clone().requiresGrad(true);
        SGDOptions o = SGDOptions.of(0.1).withMomentum(0.9);
        SGD sgd = new SGD(List.of(ParamGroup.of(List.of(a)).set("lr", 0.01), ParamGroup.of(List.of(b))), o);
        assertSame(o, sgd.options());
        assertEquals(
                List.of("lr", "momentum", "dampening", "weight_decay", "nesterov"),
                List.copyOf(sgd.paramGroups().get(1).options().keySet()),
                "PyTorch's names, in its order");
        assertEquals(0.01, sgd.paramGroups().get(0).lr());
        assertEquals(0.1, sgd.paramGroups().get(1).lr());
        assertEquals(0.9, sgd.paramGroups().get(0).get("momentum"));
        assertBad(
                "SGD: invalid lr value: -1.0",
                () -> new SGD(List.of(ParamGroup.of(List.of(g("w0").clone())).set("lr", -1)), o));
        assertBad(
                "SGD: Nesterov momentum requires a momentum and zero dampening",
                () -> new SGD(
                        List.of(ParamGroup.of(List.of(g("w0").clone())).set("momentum", 0)), o.withNesterov(true)));
        AdamOptions ao = AdamOptions.adamW(0.01);
        assertSame(ao, new AdamW(List.of(a), ao).options());
        assertEquals(
                List.of("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"),
                List.copyOf(
                        new Adam(List.of(a), ao).paramGroups().get(0).options().keySet()));
        assertEquals(RMSpropOptions.of(0.5), new RMSprop(List.of(a), 0.5).options());
        assertEquals(AdagradOptions.of(0.5), new Adagrad(List.of(a), 0.5).options());
        assertEquals(AdamOptions.adamW(0.5).withWeightDecay(0.2), new AdamW(List.of(a), 0.5, 0.2).options());
    }
}
