package dev.torchlet.data.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.torchlet.Tensor;
import dev.torchlet.testing.Golden;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Transforms vs torchvision 0.14 (tensor code path) on small PNGs, fixtures from
 * tools/golden/gen_transforms.py. Tolerances, on [0, 1] float values:
 * <ul>
 *   <li>ToTensor, flips, crops: exact (pure copies and the same x / 255f division);</li>
 *   <li>Normalize, Grayscale, brightness/contrast/saturation: atol 1e-6 (same float32 formulas,
 *       contrast's mean is summed in a different order);</li>
 *   <li>Resize (antialias or not): atol 1e-5. Same weights as torch's _upsample_bilinear2d_aa /
 *       upsample_bilinear2d, but torch evaluates the 2-D bilinear case as one 4-tap expression and
 *       may accumulate in another order than our separable passes: differences are a few ulps;</li>
 *   <li>hue: atol 1e-5 (HSV round trip in float32 with divisions).</li>
 * </ul>
 */
class TransformsGoldenTest {
    static final String FILE = "transforms";

    static Tensor input(String name) throws IOException, URISyntaxException {
        Path p = Path.of(TransformsGoldenTest.class
                .getResource("/golden/images/" + name + ".png")
                .toURI());
        return new ToTensor().apply(Image.read(p));
    }

    static void check(String image, String key, UnaryOperator<Tensor> f, double atol) throws Exception {
        Tensor expected = Golden.get(FILE, image + "." + key);
        Golden.assertClose(expected, f.apply(input(image)), atol, 0, image + " " + key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb13x17", "rgb19x11", "grad16x24"})
    void toTensorDecodesPngExactly(String image) throws Exception {
        Tensor x = input(image);
        assertEquals(3, x.size(0));
        Golden.assertClose(Golden.get(FILE, image + ".to_tensor"), x, 0, 0, image + " to_tensor");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb13x17", "rgb19x11", "grad16x24"})
    void resizeMatchesTorchvision(String image) throws Exception {
        check(image, "resize_shrink_aa", new Resize(5, 7)::apply, 1e-5);
        check(image, "resize_edge6_aa", new Resize(6)::apply, 1e-5);
        check(image, "resize_shrink_noaa", new Resize(5, 7, 0, false)::apply, 1e-5);
        Tensor x = input(image);
        int h = x.size(1);
        int w = x.size(2);
        check(image, "resize_enlarge_aa", new Resize(2 * h + 3, w + 9)::apply, 1e-5);
        check(image, "resize_mixed_aa", new Resize(h + 5, Math.max(1, w / 3))::apply, 1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb13x17", "rgb19x11", "grad16x24"})
    void normalizeCropsFlipsGrayMatchTorchvision(String image) throws Exception {
        check(image, "normalize", Normalize.imagenet()::apply, 1e-6);
        check(image, "center_crop_8x9", new CenterCrop(8, 9)::apply, 0);
        check(image, "center_crop_7", new CenterCrop(7)::apply, 0);
        Tensor x = input(image);
        check(image, "center_crop_big", new CenterCrop(x.size(1) + 3, x.size(2) + 4)::apply, 0);
        check(image, "hflip", Functional::hflip, 0);
        check(image, "vflip", Functional::vflip, 0);
        check(image, "gray1", new Grayscale(1)::apply, 1e-6);
        check(image, "gray3", new Grayscale(3)::apply, 1e-6);
        check(image, "rotate_90", t -> Functional.rotate(t, 90, 0f), 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb13x17", "rgb19x11", "grad16x24"})
    void colorAdjustmentsMatchTorchvision(String image) throws Exception {
        check(image, "brightness_1.3", t -> Functional.adjustBrightness(t, 1.3f), 1e-6);
        check(image, "contrast_0.6", t -> Functional.adjustContrast(t, 0.6f), 1e-6);
        check(image, "saturation_1.7", t -> Functional.adjustSaturation(t, 1.7f), 1e-6);
        check(image, "hue_0.2", t -> Functional.adjustHue(t, 0.2f), 1e-5);
    }
}
