package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser tests, from Debian's {@code chromium} and {@code chromium-driver}. Both paths
 * are given explicitly, so Selenium Manager never tries to download a browser or a driver. A missing package
 * fails the test naming the package: a browser test that silently skips proves nothing. Only
 * {@code TORCHLET_SKIP_BROWSER=1} skips it on purpose.
 */
final class Chromium {
    private static final String INSTALL =
            "; install it with: sudo apt-get install -y chromium chromium-driver (.ci/run does this), "
                    + "or set TORCHLET_SKIP_BROWSER=1 to skip the browser tests";

    private Chromium() {}

    static WebDriver start(int width, int height) {
        assumeFalse("1".equals(System.getenv("TORCHLET_SKIP_BROWSER")), "TORCHLET_SKIP_BROWSER=1");
        Path driver = find("webdriver.chrome.driver", "CHROMEDRIVER", "/usr/bin/chromedriver");
        Path browser = find("torchlet.chromium", "CHROMIUM", "/usr/bin/chromium");
        if (!Files.isExecutable(driver)) {
            fail("chromedriver not found at " + driver + " (Debian package chromium-driver)" + INSTALL);
        }
        if (!Files.isExecutable(browser)) {
            fail("chromium not found at " + browser + " (Debian package chromium)" + INSTALL);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox", // CI containers run as root, where Chromium's sandbox cannot start
                "--disable-dev-shm-usage", // small /dev/shm in containers
                "--disable-gpu",
                "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** A system property, else an environment variable, else the Debian path. */
    private static Path find(String property, String env, String debianPath) {
        String p = System.getProperty(property);
        if (p == null || p.isBlank()) {
            p = System.getenv(env);
        }
        return Path.of(p == null || p.isBlank() ? debianPath : p);
    }
}
