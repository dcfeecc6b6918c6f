package io.tandem.it.editor;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium driven by Debian's chromium-driver (apt packages chromium and chromium-driver,
 * installed by .ci/run): no browser or driver download. Background services are disabled and
 * everything but loopback goes to a proxy on a closed local port, so the browser reaches only the
 * loopback addresses it is sent to.
 */
final class HeadlessChromium {
  private static final Path BROWSER = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private HeadlessChromium() {}

  static WebDriver start() {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      throw new IllegalStateException("this test needs Debian's chromium and chromium-driver (" + BROWSER + ", "
          + DRIVER + "): apt-get install chromium chromium-driver (.ci/run installs them)");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1440,900", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-features=Translate,MediaRouter,OptimizationHints",
        // every address but loopback (which Chromium never proxies) goes to a closed local port
        "--proxy-server=http://127.0.0.1:9");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER.toString())).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }
}
