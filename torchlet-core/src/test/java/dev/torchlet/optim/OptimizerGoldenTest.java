package dev.torchlet.optim;

import static dev.torchlet.testing.Golden.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.testing.Golden;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * 10-step optimizer and scheduler trajectories against torch.optim (tools/golden/gen_nn.py).
 * Loss: sum(tanh(data @ w + b)^2) + 0.1 sum(w^2). Tolerance atol 1e-5, rtol 1e-4: the updates run
 * in float32 like PyTorch's, so only rounding order differs.
 */
class OptimizerGoldenTest {
    private static final String FILE = "optim";

    private static Tensor g(String key) {
        return Golden.get(FILE, key);
    }

    private static void run(
            String name, Function<List<Tensor>, Optimizer> make, Function<Optimizer, LRScheduler> sched) {
        Tensor w = g("w0").clone().requiresGrad(true);
        Tensor b = g("b0").clone().requiresGrad(true);
        Tensor data = g("data");
        Optimizer opt = make.apply(List.of(w, b));
        LRScheduler s = sched == null ? null : sched.apply(opt);
        double[] lrs = new double[10];
        for (int i = 0; i < 10; i++) {
            opt.zeroGrad();
            Tensor loss = data.matmul(w)
                    .add(b)
                    .tanh()
                    .pow(2f)
                    .sum()
                    .add(w.pow(2f).sum().mul(0.1f));
            loss.backward();
            opt.step();
            lrs[i] = opt.paramGroups().get(0).lr();
            if (s != null) {
                s.step();
            }
        }
        assertClose(g(name + ".w"), w.detach(), 1e-5, 1e-4, name + " w");
        assertClose(g(name + ".b"), b.detach(), 1e-5, 1e-4, name + " b");
        assertClose(g(name + ".lr"), Torch.tensor(lrs, 10), 1e-12, 1e-9, name + " lr");
    }

    @Test
    void sgd() {
        run("sgd", p -> new SGD(p, 0.1), null);
        run("sgd_momentum", p -> new SGD(List.of(ParamGroup.of(p)), 0.05, 0.9, 0.1, 0.01, false), null);
        run("sgd_nesterov", p -> new SGD(List.of(ParamGroup.of(p)), 0.05, 0.9, 0, 0.001, true), null);
    }

    @Test
    void adamFamily() {
        run("adam", p -> new Adam(p, 0.01), null);
        run("adam_wd_amsgrad", p -> new Adam(List.of(ParamGroup.of(p)), 0.02, 0.8, 0.99, 1e-8, 0.1, true), null);
        run("adamw", p -> new AdamW(p, 0.01, 0.05), null);
    }

    @Test
    void rmspropAndAdagrad() {
        run("rmsprop", p -> new RMSprop(p, 0.01), null);
        run(
                "rmsprop_centered_momentum",
                p -> new RMSprop(List.of(ParamGroup.of(p)), 0.01, 0.9, 1e-8, 0.01, 0.5, true),
                null);
        run("adagrad", p -> new Adagrad(List.of(ParamGroup.of(p)), 0.1, 0.01, 0.01, 0.1, 1e-10), null);
    }

    @Test
    void schedulers() {
        run("step_lr", p -> new SGD(p, 0.1), o -> new StepLR(o, 3, 0.5));
        run("multistep_lr", p -> new SGD(p, 0.1), o -> new MultiStepLR(o, new int[] {2, 5, 8}, 0.3));
        run("exponential_lr", p -> new SGD(p, 0.1), o -> new ExponentialLR(o, 0.8));
        run("cosine_lr", p -> new SGD(p, 0.1), o -> new CosineAnnealingLR(o, 6, 0.01));
        run("linear_lr", p -> new SGD(p, 0.1), o -> new LinearLR(o, 0.25, 1.0, 4));
        run("onecycle_lr", p -> new SGD(p, 0.1, 0.9), o -> new OneCycleLR(o, 0.2, 10));
        run("onecycle_adam", p -> new Adam(p, 0.1), o -> new OneCycleLR(o, 0.05, 10));
    }

    @Test
    void reduceLrOnPlateau() {
        Tensor w = Torch.zeros(1).requiresGrad(true);
        SGD opt = new SGD(List.of(w), 1.0);
        ReduceLROnPlateau plateau = new ReduceLROnPlateau(opt, "min", 0.5, 2, 1e-4, 1, 0, 1e-8);
        double[] metrics = g("plateau.metrics").toDoubleArray();
        double[] expected = g("plateau.lr").toDoubleArray();
        for (int i = 0; i < metrics.length; i++) {
            plateau.step(metrics[i]);
            assertEquals(expected[i], opt.paramGroups().get(0).lr(), 1e-12, "lr after metric " + i);
        }
    }

    @Test
    void clipGradNorm() {
        for (String name : new String[] {"2", "inf", "1"}) {
            double type = name.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(name);
            Tensor p1 = Torch.zeros(3, 4).requiresGrad(true);
            Tensor p2 = Torch.zeros(4).requiresGrad(true);
            p1.setGrad(g("clip.g1").clone());
            p2.setGrad(g("clip.g2").clone());
            double total = GradClip.clipGradNorm(List.of(p1, p2), 0.5, type);
            assertEquals(g("clip." + name + ".total").itemDouble(), total, 1e-5, "total norm " + name);
            assertClose(g("clip." + name + ".g1"), p1.grad(), 1e-6, 1e-5, "clipped g1 " + name);
            assertClose(g("clip." + name + ".g2"), p2.grad(), 1e-6, 1e-5, "clipped g2 " + name);
        }
    }

    @Test
    void paramGroupsUseTheirOwnLearningRate() {
        Tensor a = Torch.ones(2).requiresGrad(true);
        Tensor b = Torch.ones(2).requiresGrad(true);
        SGD opt = new SGD(
                List.of(ParamGroup.of(List.of(a)).set("lr", 0.01), ParamGroup.of(List.of(b))), 1.0, 0, 0, 0, false);
        a.mul(a).sum().add(b.mul(b).sum()).backward(); // grads 2, 2
        opt.step();
        assertClose(Torch.full(0.98f, 2), a.detach(), 1e-7, 0, "group with lr 0.01");
        assertClose(Torch.full(-1f, 2), b.detach(), 1e-7, 0, "group with the default lr 1.0");
    }

    @Test
    void stateDictRoundTripContinuesIdentically() {
        Tensor w1 = g("w0").clone().requiresGrad(true);
        Adam opt1 = new Adam(List.of(w1), 0.05);
        for (int i = 0; i < 3; i++) {
            opt1.zeroGrad();
            w1.pow(2f).sum().backward();
            opt1.step();
        }
        Tensor w2 = w1.detach().clone().requiresGrad(true);
        Adam opt2 = new Adam(List.of(w2), 0.05);
        opt2.loadStateDict(opt1.stateDict());
        for (Tensor w : List.of(w1, w2)) {
            Optimizer o = w == w1 ? opt1 : opt2;
            o.zeroGrad();
            w.pow(2f).sum().backward();
            o.step();
        }
        assertClose(w1.detach(), w2.detach(), 0, 0, "same state, same step");
    }

    @Test
    void rejectsNonsense() {
        Tensor w = Torch.zeros(2).requiresGrad(true);
        var e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(w), -0.1));
        assertEquals("SGD: invalid lr value: -0.1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(), 0.1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Adam(List.of(ParamGroup.of(List.of(w))), 0.1, 1.5, 0.999, 1e-8, 0, false));
    }
}
