package dev.torchlet.serve;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** A machine without the browser packages fails the browser test with the install command, not a silent skip. */
class WebPageBrowserSetupTest {
    @Test
    void missingChromedriverFailsNamingTheDebianPackage() {
        assumeFalse("1".equals(System.getenv("TORCHLET_SKIP_BROWSER")), "TORCHLET_SKIP_BROWSER=1 skips before looking");
        String old = System.getProperty("webdriver.chrome.driver");
        System.setProperty("webdriver.chrome.driver", "/nonexistent/chromedriver");
        try {
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Chromium.start(800, 600));
            assertTrue(e.getMessage().contains("chromium-driver"), e.getMessage());
            assertTrue(e.getMessage().contains("apt-get install -y chromium chromium-driver"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("webdriver.chrome.driver");
            } else {
                System.setProperty("webdriver.chrome.driver", old);
            }
        }
    }
}
