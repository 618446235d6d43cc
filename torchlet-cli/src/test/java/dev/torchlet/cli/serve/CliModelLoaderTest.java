package dev.torchlet.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.torchlet.cli.train.TrainModels;
import dev.torchlet.data.datasets.Mnist;
import dev.torchlet.io.Checkpoint;
import dev.torchlet.serve.InferenceServer;
import dev.torchlet.serve.ServeOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's model specs: a `torchlet train` checkpoint and zoo models, served end to end. */
class CliModelLoaderTest {
    @Test
    void checkpointSpecServesFashionMnistWithClassifyAndExplain(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("cnn.safetensors");
        Checkpoint.save(ckpt, TrainModels.create("cnn", 10), null, Map.of("model", "cnn"));
        var served = new CliModelLoader().load("fmnist", ckpt.toString());
        assertArrayEquals(new int[] {1, 28, 28}, served.inputShape());
        assertArrayEquals(new int[] {10}, served.outputShape());
        assertEquals(Mnist.FASHION_CLASSES, served.labels());
        assertEquals("5", served.gradCamLayer(), "the cnn's last max-pool (64 x 7 x 7)");
        assertArrayEquals(
                new int[] {1, 28, 28}, served.preprocessor().apply(png(40, 30)).shape());

        var options = ServeOptions.defaults().withPort(0).withAccessLog(false);
        try (var server =
                new InferenceServer(new CliModelLoader(), options).start(Map.of("fmnist", ckpt.toString()), Map.of())) {
            var client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port() + "/v1/models/fmnist/";
            for (String op : new String[] {"classify", "explain"}) {
                var r = client.send(
                        HttpRequest.newBuilder(URI.create(base + op + "?top_k=3"))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(png(28, 28)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"label\":\""), r.body());
            }
        }
    }

    @Test
    void zooSpecs() throws Exception {
        var served = new CliModelLoader().load("r18", "zoo:resnet18");
        assertArrayEquals(new int[] {3, 224, 224}, served.inputShape());
        assertArrayEquals(new int[] {1000}, served.outputShape());
        assertEquals("layer4", served.gradCamLayer());
        var e = assertThrows(IllegalArgumentException.class, () -> new CliModelLoader().load("x", "zoo:resnet18:oops"));
        assertTrue(e.getMessage().contains("zoo:NAME:pretrained"), e.getMessage());
        var missing = assertThrows(Exception.class, () -> new CliModelLoader().load("x", "/no/such.safetensors"));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    private static byte[] png(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(w / 2, h / 2, 0xffffff);
        var out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
