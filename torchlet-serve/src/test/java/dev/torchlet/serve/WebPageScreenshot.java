package dev.torchlet.serve;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Not a test: the step that makes docs/serve_page.png from a running {@code ./torchlet serve} (a trained model
 * makes a more telling picture than the tests' random weights). Runs only when {@code torchlet.webpage.url} is
 * set; the README's Serving section has the command.
 */
class WebPageScreenshot {
    @Test
    @EnabledIfSystemProperty(named = "torchlet.webpage.url", matches = ".+")
    void screenshotOfARunningServer() throws Exception {
        String url = System.getProperty("torchlet.webpage.url");
        String model = System.getProperty("torchlet.webpage.model");
        Path image = Path.of(System.getProperty("torchlet.webpage.image"));
        Path out = Path.of(System.getProperty("torchlet.webpage.screenshot", "target/serve_page.png"));
        WebDriver browser = Chromium.start(1100, 880);
        try {
            browser.get(url);
            var wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            wait.until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
            if (model != null) {
                new Select(browser.findElement(By.id("model"))).selectByValue(model);
                wait.until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
            }
            browser.findElement(By.id("file")).sendKeys(image.toAbsolutePath().toString());
            wait.until(d -> "done".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
            Files.write(out, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }
}
