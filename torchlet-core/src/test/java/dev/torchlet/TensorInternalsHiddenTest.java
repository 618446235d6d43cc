package dev.torchlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.internal.TensorInternals;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tensor's public surface has no internals: raw storage, live shape arrays and graph wiring go through
 *  {@link TensorInternals}, which Torchlet's own packages use and users should not. */
class TensorInternalsHiddenTest {
    @Test
    void tensorExposesNoInternals() {
        Set<String> internal = Set.of("storage", "shapeRef", "stridesRef", "attachGradFn", "wrap");
        List<String> exposed = Arrays.stream(Tensor.class.getMethods())
                .filter(m -> internal.contains(m.getName()) || m.getReturnType() == Storage.class)
                .map(Method::toString)
                .toList();
        assertEquals(List.of(), exposed);
    }

    @Test
    void theBridgeReachesTheSameState() {
        Tensor t = Torch.arange(6).reshape(2, 3).transpose(0, 1);
        assertEquals(6, TensorInternals.storage(t).length());
        assertEquals(
                List.of(3, 2),
                Arrays.stream(TensorInternals.shapeRef(t)).boxed().toList());
        assertEquals(
                List.of(1, 3),
                Arrays.stream(TensorInternals.stridesRef(t)).boxed().toList());
        Tensor view = TensorInternals.wrap(TensorInternals.storage(t), 1, new int[] {2}, new int[] {3});
        assertEquals(List.of(1L, 4L), Arrays.stream(view.toLongArray()).boxed().toList());
        assertEquals(true, Modifier.isFinal(TensorInternals.class.getModifiers()));
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> TensorInternals.install(null), "only Tensor installs it");
    }
}
