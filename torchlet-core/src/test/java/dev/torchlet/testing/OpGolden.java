package dev.torchlet.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs named op cases against a fixture written by {@code tools/golden/gen_ops.py}. For case NAME the
 * fixture holds {@code NAME/in{i}}, {@code NAME/out{j}}, {@code NAME/gout{j}} (a random gradient per
 * differentiable output) and {@code NAME/grad{i}} (the input gradients PyTorch computed). The Java
 * side of a case is a lambda doing the same as the Python one; it returns a Tensor or a List of them.
 */
public final class OpGolden {
    private OpGolden() {}

    /** The Java side of a case: a Tensor or a {@code List<Tensor>} from the inputs. */
    @FunctionalInterface
    public interface Op {
        Object apply(Tensor[] x);
    }

    /** Tolerances of one case (see each test class for why a case deviates from the default). */
    public record Tol(double atol, double rtol) {}

    /** Case names in the fixture that start with prefix. */
    public static TreeSet<String> fixtureCases(String file, String prefix) {
        TreeSet<String> names = new TreeSet<>();
        for (String key : Golden.load(file).keySet()) {
            int slash = key.lastIndexOf('/');
            if (slash > 0 && key.startsWith(prefix)) {
                names.add(key.substring(0, slash));
            }
        }
        return names;
    }

    /** Asserts that Java and Python list exactly the same cases under prefix (nothing silently skipped). */
    public static void assertSameCases(String file, String prefix, Iterable<String> javaCases) {
        TreeSet<String> java = new TreeSet<>();
        javaCases.forEach(java::add);
        assertEquals(fixtureCases(file, prefix), java, "cases in golden/" + file + " vs the Java test");
    }

    /** The fixture inputs of a case, as fresh copies; those PyTorch took gradients for require grad. */
    public static Tensor[] inputs(String file, String name) {
        Map<String, Tensor> fx = Golden.load(file);
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; fx.containsKey(name + "/in" + i); i++) {
            Tensor x = fx.get(name + "/in" + i).detach().contiguousCopy();
            if (fx.containsKey(name + "/grad" + i)) {
                x.requiresGrad(true);
            }
            xs.add(x);
        }
        return xs.toArray(new Tensor[0]);
    }

    @SuppressWarnings("unchecked")
    public static List<Tensor> outputs(Object result) {
        return result instanceof Tensor t ? List.of(t) : (List<Tensor>) result;
    }

    /** Forward outputs (dtype, shape, values) and input gradients against PyTorch. */
    public static void check(String file, String name, Op op, Tol tol) {
        Map<String, Tensor> fx = Golden.load(file);
        Tensor[] xs = inputs(file, name);
        List<Tensor> outs = outputs(op.apply(xs));
        int expectedOuts = 0;
        while (fx.containsKey(name + "/out" + expectedOuts)) {
            expectedOuts++;
        }
        assertEquals(expectedOuts, outs.size(), name + ": number of outputs");
        List<Tensor> diff = new ArrayList<>();
        List<Tensor> gouts = new ArrayList<>();
        for (int j = 0; j < outs.size(); j++) {
            Tensor expected = fx.get(name + "/out" + j);
            Tensor actual = outs.get(j);
            assertEquals(expected.dtype(), actual.dtype(), name + ": dtype of output " + j);
            boolean exact = !expected.dtype().isFloatingPoint();
            Golden.assertClose(expected, actual, exact ? 0 : tol.atol(), exact ? 0 : tol.rtol(), name + "/out" + j);
            Tensor g = fx.get(name + "/gout" + j);
            if (g != null) {
                diff.add(actual);
                gouts.add(g);
            }
        }
        if (diff.isEmpty()) {
            return;
        }
        if (diff.size() == 1) {
            diff.get(0).backward(gouts.get(0)); // a non-scalar backward with an explicit gradient
        } else {
            Tensor loss = null;
            for (int j = 0; j < diff.size(); j++) {
                Tensor term = diff.get(j).mul(gouts.get(j)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
        }
        for (int i = 0; i < xs.length; i++) {
            Tensor expected = fx.get(name + "/grad" + i);
            if (expected != null) {
                assertNotNull(xs[i].grad(), name + ": input " + i + " got no gradient");
                Golden.assertClose(expected, xs[i].grad(), tol.atol(), tol.rtol(), name + "/grad" + i);
            }
        }
    }

    /** One dynamic test per case. */
    public static Stream<DynamicTest> tests(String file, Map<String, Op> cases, Function<String, Tol> tol) {
        return cases.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(
                        e.getKey(), () -> check(file, e.getKey(), e.getValue(), tol.apply(e.getKey()))));
    }

    /** True if PyTorch computed input gradients for the case. */
    public static boolean hasGradients(String file, String name) {
        return Golden.load(file).containsKey(name + "/grad0")
                || Golden.load(file).containsKey(name + "/grad1");
    }

    /**
     * Float64 finite-difference check of a case's backward at the fixture inputs. Several float
     * outputs are flattened and concatenated into one, so every output's gradient is checked.
     */
    public static void gradCheck(String file, String name, Op op) {
        Tensor[] xs = inputs(file, name);
        GradCheck.check(
                name,
                x -> {
                    List<Tensor> parts = new ArrayList<>();
                    for (Tensor o : outputs(op.apply(x))) {
                        if (o.dtype().isFloatingPoint()) {
                            parts.add(o.reshape(-1));
                        }
                    }
                    return parts.size() == 1 ? parts.get(0) : Torch.cat(parts, 0);
                },
                xs);
    }
}
