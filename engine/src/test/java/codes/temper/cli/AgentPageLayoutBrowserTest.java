package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.Browser;
import codes.temper.kube.CgroupDriver;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Mode;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25, point 13: the agent's page at 1280 px, the width of a laptop's browser, breaks no word
 * in the middle. Table cells were allowed to wrap anywhere, so the browser's table layout narrowed
 * columns until "background" read "backgrou/nd". A word may still move to the next line whole, and
 * may break at its hyphens and slashes (a pod name, a cgroup path), never inside a run of letters
 * and digits. Served by a real agent in file mode on the bundled example; signed in, so that the
 * audit trail and the toggle are on the page too.
 */
class AgentPageLayoutBrowserTest {
    static final String TOKEN = "layout-token-0123456789abcdef";

    @TempDir
    Path dir;

    /**
     * Every word of every table cell that the browser laid out on more than one line. (The values
     * beside the headings, a revision's 64-hex digest among them, are identifiers wider than their
     * panel and may wrap anywhere.)
     */
    static final String BROKEN_WORDS = """
            const broken = [];
            for (const cell of document.querySelectorAll('td')) {
              const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
              for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                const word = /[\\p{L}\\p{N}_]+/gu;
                for (let m = word.exec(n.data); m; m = word.exec(n.data)) {
                  const r = document.createRange();
                  r.setStart(n, m.index);
                  r.setEnd(n, m.index + m[0].length);
                  const lines = new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top)));
                  if (lines.size > 1) broken.push(m[0] + ' in ' + (cell.closest('table').querySelector('tbody').id || cell.closest('section').querySelector('h2').innerText));
                }
              }
            }
            return broken;
            """;

    @Test
    void noWordOnTheAgentPageIsBrokenAt1280Pixels() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        Path cgroups = Files.createDirectories(dir.resolve("cgroup"));
        Agent.Options o = new Agent.Options(null, null, Path.of("../policies/examples/pods.yaml"), Path.of("../policies/examples/node.yaml"),
                "../policies", dir.resolve("cache"), null, null, Duration.ofSeconds(5), Duration.ofSeconds(1), null, Duration.ofMillis(20),
                DriverChoice.Mode.DRY_RUN, null, cgroups, CgroupDriver.SYSTEMD,
                new Reconciler.Pacing(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMinutes(5), Duration.ofMillis(200)),
                EjectionBackoff.defaults(), new Agent.Api("127.0.0.1", 0, tokens, null), null);
        try (Agent agent = new Agent(o).start(); Browser b = new Browser(dir.resolve("profile"), "agent-page-layout")) {
            Await.until("the first pass", Duration.ofSeconds(30), () -> agent.status() != null && agent.status().mode() != Mode.PENDING);
            b.driver.get("http://127.0.0.1:" + agent.apiPort() + "/");
            b.until("the pods", d -> b.texts("#pods tr.pod").size() > 20);
            b.id("token").sendKeys(TOKEN);
            b.id("sign-in").click();
            b.until("signed in", d -> !b.texts("#audit tr").isEmpty() || b.text("whoami").length() > 0);
            assertThat(b.js("return window.innerWidth")).isEqualTo(1280L);
            assertThat(b.texts("#pods tr.pod td:nth-child(3)")).contains("background");
            b.screenshot("1280");
            @SuppressWarnings("unchecked")
            List<String> broken = (List<String>) b.js(BROKEN_WORDS);
            assertThat(broken).as("words broken across lines").isEmpty();
        }
    }
}
