package codes.temper.api;

import codes.temper.auth.Access;
import codes.temper.auth.StaticTokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import codes.temper.reconcile.AgentStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: Chromium's headless shell loads the page from the real server,
 * runs its script under the server's Content-Security-Policy, polls {@code /status} and the test
 * reads the DOM it rendered. Not skipped without the browser: CI installs it
 * ({@code scripts/setup-debian.sh}), and a skipped test would hide a dashboard that shows nothing.
 */
class DashboardBrowserTest {

    /** Where Debian's chromium-headless-shell package puts it; TEMPER_CHROME overrides. */
    static final List<String> CANDIDATES = List.of("/usr/bin/chromium-headless-shell",
            "/usr/lib/chromium/chrome-headless-shell", "/usr/lib/chromium/headless_shell");

    static final String HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">";

    @TempDir
    Path profile;

    @Test
    void showsTheStatusAndKeepsMarkupInDataAsText() throws Exception {
        Path browser = browser();
        var s = Fixtures.attached(Fixtures.tiers(), "kernel 6.12 has sched_ext", HOSTILE).withStats(Fixtures.stats());
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var server = StatusServer.start(() -> s, (on, actor, reason) -> {
        }, registry, Access.staticTokens(StaticTokens.none()), AuditLog.inMemory(), "127.0.0.1", 0)) {
            String dom = dumpDom(browser, "http://127.0.0.1:" + server.port() + "/");

            assertThat(dom).as("the script ran (CSP hash matched) and rendered /status")
                    .contains("<span id=\"mode\" class=\"mode mode-attach\">attach</span>")
                    .contains("<span id=\"node\">node-a</span>")
                    .contains("<dd id=\"revision\">" + Fixtures.REVISION + "</dd>")
                    .contains("<dd id=\"phase\">ATTACHED</dd>")
                    .contains("<dd id=\"driver\">bpf</dd>")
                    .contains("<dd id=\"cpu-max\">scheduler (pod ceilings from CPU limits)</dd>")
                    .contains("<dd id=\"pods-throttled\">57</dd>")
                    .contains("<tr class=\"tier\"><td class=\"num\">0</td><td>critical</td><td class=\"num\">8</td>"
                            + "<td>policy</td><td class=\"num\">3</td></tr>")
                    .contains("<td>normal</td><td class=\"num\">\u2014</td>")
                    .contains("<dd id=\"reconf-trigger\">pods</dd>")
                    .contains("<dd id=\"reconf-evaluate\">1.25 ms</dd>")
                    .contains("<li>kernel 6.12 has sched_ext</li>");
            assertThat(dom).as("a reason carrying markup is shown as text, not injected")
                    .contains("<li>&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=\"document.title='pwned'\"&gt;</li>")
                    .doesNotContain("<img")
                    .contains("<title>Temper</title>")
                    .doesNotContain("pwned</title>");
        }
    }

    static Path browser() {
        String override = System.getenv("TEMPER_CHROME");
        Stream<String> paths = override == null ? CANDIDATES.stream() : Stream.of(override);
        return paths.map(Path::of).filter(Files::isExecutable).findFirst().orElseGet(() -> fail(
                "no headless Chromium found (looked for " + (override == null ? CANDIDATES : override)
                        + "); install it with `apt-get install chromium-headless-shell` (scripts/setup-debian.sh does)"
                        + " or point TEMPER_CHROME at one"));
    }

    private String dumpDom(Path browser, String url) throws IOException, InterruptedException {
        // Virtual time runs the page's timers without waiting for them in real time; 5 s covers
        // the first fetch and two polls. --no-sandbox: tests and CI run as root in a container.
        var pb = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", url)
                .redirectError(profile.resolve("stderr.txt").toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("headless Chromium did not finish in 120 s");
        }
        String dom = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || dom.isBlank()) {
            fail("headless Chromium exited " + p.exitValue() + " with no DOM; its stderr:\n"
                    + Files.readString(profile.resolve("stderr.txt")));
        }
        return dom;
    }
}
