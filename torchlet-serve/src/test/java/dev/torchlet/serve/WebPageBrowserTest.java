package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real headless Chromium against a real server on loopback: upload, draw, bad upload. What the
 * page shows is compared with what the public API answers for the same bytes.
 *
 * <p>The upload test saves a screenshot to target/serve_page.png (and to the path in the system property
 * {@code torchlet.webpage.screenshot} when given), to look at when it fails. docs/serve_page.png comes from
 * {@link WebPageScreenshot} with a trained model.
 */
class WebPageBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    static InferenceServer server;
    static Http http;
    static WebDriver browser;
    static String base;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        Map<String, String> models = new LinkedHashMap<>();
        models.put("fashion", "fashion:7");
        models.put("tiny", "tiny:1");
        server = new InferenceServer(
                        FashionTestModel.LOADER,
                        ServeOptions.defaults().withPort(0).withAccessLog(false))
                .start(models, Map.of());
        http = new Http(server.port());
        base = "http://127.0.0.1:" + server.port();
        browser = Chromium.start(1100, 800);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.stop(5_000);
        }
    }

    /** A fresh page with the Fashion-MNIST model picked and its metadata loaded. */
    @BeforeEach
    void openPage() {
        browser.get(base + "/");
        awaitState("ready", "error");
        new Select(browser.findElement(By.id("model"))).selectByValue("fashion");
        new WebDriverWait(browser, WAIT)
                .until(d -> d.findElement(By.id("model-info")).getText().contains("1×28×28"));
        awaitState("ready");
    }

    @Test
    void pickerListsTheReadyModels() {
        List<String> names = new Select(browser.findElement(By.id("model")))
                .getOptions().stream().map(o -> o.getAttribute("value")).toList();
        assertEquals(List.of("fashion", "tiny"), names.stream().sorted().toList());
    }

    @Test
    void uploadShowsTheApisTopClassesAndAHeatMap() throws Exception {
        byte[] png = FashionTestModel.shirtPng(112);
        Path file = tmp.resolve("shirt.png");
        Files.write(file, png);
        browser.findElement(By.id("file")).sendKeys(file.toString());
        awaitState("done");

        JsonNode expected = http.post("/v1/models/fashion/classify?top_k=5", png, "image/png")
                .json()
                .get("predictions");
        assertTrue(
                expected.get(0).get("probability").asDouble()
                        > expected.get(1).get("probability").asDouble() + 1e-4,
                "the fixture must have a unique top class, else the comparison below proves little: " + expected);
        List<WebElement> rows = browser.findElements(By.cssSelector("#results .prediction"));
        assertEquals(5, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode want = expected.get(i);
            assertEquals(
                    want.get("label").asText(),
                    rows.get(i).findElement(By.className("label")).getText(),
                    "rank " + i);
            String shown = rows.get(i).findElement(By.className("probability")).getText();
            assertEquals(
                    100 * want.get("probability").asDouble(),
                    Double.parseDouble(shown.replace("%", "")),
                    0.051,
                    "rank " + i + " shows " + shown);
        }

        checkHeatMap(http.post("/v1/models/fashion/explain?top_k=1", png, "image/png")
                .json()
                .get("heatmap"));
        saveScreenshot();
    }

    /** The overlay covers the image and is hot (red) where the API's map peaks, cold (blue) where it is lowest. */
    private void checkHeatMap(JsonNode heat) {
        int h = heat.get("height").asInt();
        int w = heat.get("width").asInt();
        int hot = 0;
        int cold = 0;
        JsonNode data = heat.get("data");
        for (int i = 0; i < data.size(); i++) {
            hot = data.get(i).asDouble() > data.get(hot).asDouble() ? i : hot;
            cold = data.get(i).asDouble() < data.get(cold).asDouble() ? i : cold;
        }
        assertTrue(
                data.get(hot).asDouble() > 0.9 && data.get(cold).asDouble() < 0.1,
                "the fixture's Grad-CAM map must have contrast: " + data);
        Map<?, ?> size = (Map<?, ?>) js("const c = document.getElementById('heatmap'),"
                + " i = document.getElementById('image');"
                + " return {w: c.width, h: c.height, iw: i.width, ih: i.height, hidden: c.hidden};");
        assertEquals(size.get("iw"), size.get("w"), "overlay width = image width");
        assertEquals(size.get("ih"), size.get("h"), "overlay height = image height");
        assertEquals(false, size.get("hidden"));
        long painted = ((Number) js("const c = document.getElementById('heatmap');"
                        + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + " let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n;"))
                .longValue();
        assertTrue(painted > 0, "heat map canvas is empty");
        double cw = ((Number) size.get("w")).doubleValue() / w;
        double ch = ((Number) size.get("h")).doubleValue() / h;
        List<?> hotPx = pixel((hot % w + 0.5) * cw, (hot / w + 0.5) * ch);
        List<?> coldPx = pixel((cold % w + 0.5) * cw, (cold / w + 0.5) * ch);
        assertTrue(channel(hotPx, 0) > channel(hotPx, 2), "hottest cell is red: rgba " + hotPx);
        assertTrue(channel(coldPx, 2) > channel(coldPx, 0), "coldest cell is blue: rgba " + coldPx);
        assertTrue(channel(hotPx, 3) > channel(coldPx, 3), "hot is more opaque than cold");
    }

    @Test
    void droppedFileIsClassifiedAndAModelSwitchReruns() throws Exception {
        byte[] png = FashionTestModel.shirtPng(64);
        // a real drop event on the drop zone, carrying a File built from the PNG bytes
        js(
                "const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));"
                        + " const dt = new DataTransfer();"
                        + " dt.items.add(new File([bytes], 'dropped.png', {type: 'image/png'}));"
                        + " const drop = document.getElementById('drop');"
                        + " const init = {dataTransfer: dt, bubbles: true, cancelable: true};"
                        + " drop.dispatchEvent(new DragEvent('dragover', init));"
                        + " drop.dispatchEvent(new DragEvent('drop', init));",
                Base64.getEncoder().encodeToString(png));
        awaitState("done");
        assertEquals(topLabel("fashion", png), shownTopLabel());

        // picking another model classifies the same image again with it
        new Select(browser.findElement(By.id("model"))).selectByValue("tiny");
        new WebDriverWait(browser, WAIT)
                .until(d -> d.findElement(By.id("model-info")).getText().contains("1×8×8"));
        awaitState("done");
        assertEquals(
                3, browser.findElements(By.cssSelector("#results .prediction")).size(), "tiny has 3 classes");
        assertEquals(topLabel("tiny", png), shownTopLabel());
    }

    @Test
    void drawingIsSentAsPngAndClassified() throws Exception {
        WebElement canvas = browser.findElement(By.id("draw"));
        // a vertical stroke and a bar across it: offsets are from the canvas centre
        new Actions(browser)
                .moveToElement(canvas, 0, -90)
                .clickAndHold()
                .moveByOffset(0, 60)
                .moveByOffset(0, 60)
                .moveByOffset(0, 60)
                .release()
                .moveToElement(canvas, -70, -60)
                .clickAndHold()
                .moveByOffset(70, 0)
                .moveByOffset(70, 0)
                .release()
                .perform();
        browser.findElement(By.id("classify-drawing")).click();
        awaitState("done");

        String url = (String) js("return document.getElementById('draw').toDataURL('image/png');");
        byte[] png = Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
        BufferedImage drawn = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue((drawn.getRGB(140, 140) & 0xff) > 200, "the pen drew white at the centre");
        assertEquals(0, drawn.getRGB(5, 5) & 0xffffff, "the background is black");
        assertEquals(topLabel("fashion", png), shownTopLabel());
    }

    @Test
    void nonImageUploadShowsTheServersError() throws Exception {
        byte[] junk = "this is not an image".getBytes(StandardCharsets.UTF_8);
        Path file = tmp.resolve("not-an-image.png");
        Files.write(file, junk);
        browser.findElement(By.id("file")).sendKeys(file.toString());
        awaitState("error");

        Http.Reply reply = http.post("/v1/models/fashion/explain?top_k=5", junk, "image/png");
        assertEquals(415, reply.status());
        WebElement error = browser.findElement(By.id("error"));
        assertTrue(error.isDisplayed());
        assertEquals("HTTP 415: " + reply.error(), error.getText());
        assertFalse(browser.findElement(By.id("results")).isDisplayed(), "no stale results next to an error");
    }

    private static String topLabel(String model, byte[] png) {
        Http.Reply r = http.post("/v1/models/" + model + "/classify?top_k=1", png, "image/png");
        assertEquals(200, r.status(), r.text());
        return r.json().get("predictions").get(0).get("label").asText();
    }

    private static String shownTopLabel() {
        return browser.findElement(By.cssSelector("#results .prediction .label"))
                .getText();
    }

    private void awaitState(String... states) {
        List<String> wanted = List.of(states);
        new WebDriverWait(browser, WAIT)
                .withMessage(() -> "page state " + wanted + "; error box: "
                        + browser.findElement(By.id("error")).getText())
                .until(d -> wanted.contains(d.findElement(By.tagName("body")).getAttribute("data-state")));
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static List<?> pixel(double x, double y) {
        return (List<?>) js("const c = document.getElementById('heatmap');"
                + " return Array.from(c.getContext('2d').getImageData(" + (int) x + ", " + (int) y + ", 1, 1).data);");
    }

    private static long channel(List<?> rgba, int i) {
        return ((Number) rgba.get(i)).longValue();
    }

    private static void saveScreenshot() throws Exception {
        byte[] shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(Path.of("target", "serve_page.png"), shot);
        String extra = System.getProperty("torchlet.webpage.screenshot");
        if (extra != null && !extra.isBlank()) {
            Files.write(Path.of(extra), shot);
        }
    }
}
