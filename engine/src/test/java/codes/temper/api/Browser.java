package codes.temper.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium driven by its chromedriver through Selenium 4, headless. CI installs both
 * ({@code scripts/setup-debian.sh}); a machine without Chromium skips the browser tests saying
 * so, and one with Chromium but no driver fails (the package that is missing is named). The
 * binaries are given explicitly, so Selenium Manager never downloads anything.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TEMPER_CHROMIUM", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("TEMPER_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /** Screenshots land here, beside the surefire reports. */
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    public final WebDriver driver;
    private final String test;
    private int shots;

    /** @param test names the screenshots */
    public Browser(Path profile, String test) {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
                + ": the browser test is skipped (apt-get install chromium chromium-driver; scripts/setup-debian.sh does, and CI runs it)");
        assertThat(CHROMEDRIVER).as("Chromium is installed but its driver is not: apt-get install chromium-driver").isExecutable();
        this.test = test;
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: tests and CI run as root in a container, where Chromium's sandbox cannot start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600",
                "--user-data-dir=" + profile, "--no-first-run", "--disable-extensions", "--disable-background-networking");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(profile.resolveSibling(profile.getFileName() + "-chromedriver.log").toFile()).build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60)).scriptTimeout(Duration.ofSeconds(30));
    }

    /** Waits (a hang guard, not a performance bound) until {@code condition} holds. */
    public <T> T until(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(30)).withMessage(what)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    /**
     * The text of every element matching {@code css}, read in one script run: the page re-renders
     * its tables on every poll, so elements found one call earlier may be gone.
     */
    @SuppressWarnings("unchecked")
    public java.util.List<String> texts(String css) {
        return (java.util.List<String>) js("return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText)", css);
    }

    public WebElement id(String id) {
        return driver.findElement(By.id(id));
    }

    public String text(String id) {
        return id(id).getText();
    }

    /** Saves the page as {@code target/screenshots/<test>-<n>-<step>.png}. */
    public Path screenshot(String step) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path to = SCREENSHOTS.resolve(String.format("%s-%d-%s.png", test, ++shots, step));
            // The whole page, not only the window: grow the window to the page's height first.
            long height = ((Number) js("return document.documentElement.scrollHeight")).longValue();
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, (int) Math.min(Math.max(height, 800), 8000)));
            Files.write(to, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Object js(String script, Object... args) {
        return ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(script, args);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
