package dev.threadbare.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The one browser setup of the web tests and UI benchmarks: Debian's Chromium ({@code
 * /usr/bin/chromium}), headless, driven through Debian's chromedriver on a free port, with no
 * background traffic and its profile in a folder the caller owns. The caller quits the driver; one
 * driver is for one thread.
 */
public final class Chromium {

  private Chromium() {}

  /** A headless Chromium with its profile in {@code profile} (made when missing). */
  public static ChromeDriver headless(Path profile) throws IOException {
    return headless(profile, null);
  }

  /**
   * A headless Chromium with its profile in {@code profile} (made when missing) and a window of
   * {@code windowSize} ({@code "1280,900"}), or Chromium's default when null.
   */
  public static ChromeDriver headless(Path profile, String windowSize) throws IOException {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run"));
    if (windowSize != null) {
      arguments.add("--window-size=" + windowSize);
    }
    arguments.add("--user-data-dir=" + Files.createDirectories(profile));
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(arguments);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }
}
