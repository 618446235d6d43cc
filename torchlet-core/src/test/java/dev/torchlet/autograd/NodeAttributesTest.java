package dev.torchlet.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.Tensor;
import dev.torchlet.Torch;
import dev.torchlet.nn.functional.F;
import org.junit.jupiter.api.Test;

/** Ops describe themselves on their graph node (what the ONNX exporter reads), and only on their own node. */
class NodeAttributesTest {
    @Test
    void convolutionRecordsItsOptions() {
        Tensor x = Torch.randn(1, 2, 8, 8).requiresGrad(true);
        Tensor w = Torch.randn(4, 1, 3, 3);
        Tensor y = F.conv2d(x, w, null, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2);
        Node node = y.gradFn();
        assertEquals("ConvolutionBackward0", node.name());
        assertArrayEquals(new int[] {2, 1}, (int[]) node.attributes().get("stride"));
        assertArrayEquals(new int[] {1, 0}, (int[]) node.attributes().get("padding"));
        assertArrayEquals(new int[] {1, 2}, (int[]) node.attributes().get("dilation"));
        assertEquals(2, node.attributes().get("groups"));
        assertEquals(false, node.attributes().get("transposed"));
        assertSame(x, node.inputList().get(0));
    }

    @Test
    void scalarOperandsAndDimsAreRecorded() {
        Tensor x = Torch.randn(2, 3).requiresGrad(true);
        assertEquals(0.5f, x.mul(0.5f).gradFn().attributes().get("other"));
        assertEquals(1, x.softmax(-1).gradFn().attributes().get("dim"));
        assertArrayEquals(
                new int[] {1, 0}, (int[]) x.permute(1, 0).gradFn().attributes().get("dims"));
    }

    @Test
    void annotateTouchesOnlyTheNodeJustRecorded() {
        Tensor x = Torch.randn(2, 3).requiresGrad(true);
        Tensor y = x.mul(2f);
        Node before = y.gradFn();
        x.add(1f); // another op records after y
        Autograd.annotate(y, "dim", 7); // y's node is not the latest: nothing changes
        assertNull(before.attributes().get("dim"));
        try (var g = Torch.noGrad()) {
            Tensor z = x.mul(3f);
            assertNull(z.gradFn());
            assertSame(z, Autograd.annotate(z, "dim", 1)); // nothing recorded, nothing to describe
        }
        assertTrue(before.attributes().containsKey("other"));
    }
}
