package dev.switchboard.itests.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, for tests that need a real
 * browser. Nothing leaves loopback: the driver's path is explicit (Selenium Manager never runs, and
 * SE_OFFLINE is set should it ever), and Chromium resolves no name but localhost, *.localhost and
 * 127.0.0.1. Start one in {@code @BeforeEach} (a browser missing there skips the test; in
 * {@code @BeforeAll} Surefire would lose the skip), close it in {@code @AfterEach}.
 *
 * <p>When /usr/bin/chromium or /usr/bin/chromedriver is missing the test is skipped, except under
 * {@code CI=true}, where it fails: CI installs the browser (.ci/install-browser.sh), so a missing
 * one there is a broken build, not a reason to test less.
 */
final class HeadlessChromium implements AutoCloseable {

    /** Overridable to try the skip: {@code -Dbrowser.chromium=/nonexistent}. */
    static final Path CHROMIUM = Path.of(System.getProperty("browser.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("browser.chromedriver", "/usr/bin/chromedriver"));
    /** How long {@link #awaitText} and {@link #await} wait; reached only when the page will not get there. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");

    static {
        // Selenium hands SE_* system properties to Selenium Manager as environment variables
        System.setProperty("SE_OFFLINE", "true");
    }

    private final WebDriver driver;
    private final Path tmp;

    private HeadlessChromium(WebDriver driver, Path tmp) {
        this.driver = driver;
        this.tmp = tmp;
    }

    /** Starts a browser for {@code test}; its chromedriver log is target/chromedriver-logs/&lt;Class&gt;.&lt;method&gt;.log. */
    static HeadlessChromium start(TestInfo test) throws IOException {
        String name = test.getTestClass().map(Class::getSimpleName).orElse("test")
                + test.getTestMethod().map(m -> "." + m.getName()).orElse("");
        return start(name);
    }

    /** Starts a browser; skips the calling test (fails it under CI=true) when the browser is not installed. */
    static HeadlessChromium start(String name) throws IOException {
        requireInstalled();
        // Chromium keeps a Unix socket in its TMPDIR and dies on a path over 107 bytes: a short
        // temp dir of its own (not target/ of a deep checkout), deleted on close with what it leaves
        Path tmp = Files.createTempDirectory("chromium-");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withEnvironment(Map.of("TMPDIR", tmp.toString()))
                .withLogFile(Files.createDirectories(TARGET.resolve("chromedriver-logs")).resolve(name + ".log").toFile())
                .build();
        try {
            WebDriver driver = new ChromeDriver(service, options());
            // a navigation that hangs fails in seconds, not after Selenium's 300 s default
            driver.manage().timeouts().pageLoadTimeout(WAIT);
            return new HeadlessChromium(driver, tmp);
        } catch (RuntimeException e) {
            deleteRecursively(tmp);
            throw e;
        }
    }

    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    private static void requireInstalled() {
        if (installed()) {
            return;
        }
        String missing = CHROMIUM + " or " + CHROMEDRIVER + " is missing; install Debian's chromium and"
                + " chromium-driver: bash .ci/install-browser.sh";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("Browser test cannot run under CI=true: " + missing);
        }
        Assumptions.assumeTrue(false, "Browser test skipped: " + missing);
    }

    private static ChromeOptions options() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",                    // root in a container: the sandbox cannot start
                "--disable-dev-shm-usage",
                "--window-size=1200,800",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                // Chromium looks up Google's hosts at every start whatever the flags above say:
                // resolve nothing but loopback names
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1");
        return options;
    }

    /** The Selenium driver, for anything this class does not wrap. */
    WebDriver driver() {
        return driver;
    }

    /** Loads {@code url} (http://user:password@host:port/… logs in with HTTP Basic auth, see {@link #withCredentials}). */
    HeadlessChromium open(String url) {
        driver.get(url);
        return this;
    }

    /** Waits until the element {@code locator} shows exactly {@code text}; fails with the page source otherwise. */
    WebElement awaitText(By locator, String text) {
        await(ExpectedConditions.textToBe(locator, text));
        return driver.findElement(locator);
    }

    /** Waits up to {@link #WAIT} for {@code condition}; a timeout fails with what the page shows. */
    <T> T await(ExpectedCondition<T> condition) {
        try {
            // a page that redraws itself may replace an element between finding and reading it
            return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(e.getMessage() + "\npage " + driver.getCurrentUrl() + ":\n"
                    + driver.findElement(By.tagName("body")).getText(), e);
        }
    }

    /** Writes a PNG of the window to target/screenshots/{@code name}.png and returns its path. */
    Path screenshot(String name) {
        try {
            Path file = Files.createDirectories(TARGET.resolve("screenshots")).resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code http://host/…} with {@code user:password@} after the scheme: Chromium then answers an
     * HTTP Basic challenge (the Web Console's) on a top-level navigation. Needs no DevTools binding,
     * so it survives Chromium upgrades that Selenium's CDP support has not caught up with.
     */
    static String withCredentials(String url, String user, String password) {
        int scheme = url.indexOf("://") + 3;
        return url.substring(0, scheme) + encode(user) + ":" + encode(password) + "@" + url.substring(scheme);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteRecursively(tmp);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("could not delete " + dir + ": " + e);
        }
    }
}
