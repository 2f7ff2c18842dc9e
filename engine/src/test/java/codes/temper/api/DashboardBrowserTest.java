package codes.temper.api;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.AuditEntry.Outcome;
import codes.temper.auth.Access;
import codes.temper.auth.StaticTokens;
import codes.temper.auth.StaticTokensTest;
import codes.temper.reconcile.AgentStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The agent page in a real headless Chromium (Selenium 4) against the real server, with markup in
 * every kind of text the page shows: pod names and namespaces, the rule's explanation, reasons,
 * safe-mode requests, the kernel's failure message, the policy source's errors, the history and
 * the audit trail (actor, action, detail). All of it must be shown as text: no element is made,
 * no script runs, and the page's Trusted Types policy refuses an HTML sink outright.
 */
class DashboardBrowserTest {

    static final String HOSTILE = "<img src=x onerror=\"window.__pwned=1;document.title='pwned'\"><script>window.__pwned=2</script>"
            + "<svg onload=\"window.__pwned=3\"></svg><iframe src=\"javascript:parent.__pwned=4\"></iframe>";
    static final String TOKEN = StaticTokensTest.TOKEN;

    @TempDir
    Path profile;

    static AgentStatus hostileStatus() {
        var base = Fixtures.attached(Fixtures.tiers(), "kernel 6.12 has sched_ext", "reason " + HOSTILE).withStats(Fixtures.stats());
        var sch = base.scheduler();
        var s = new AgentStatus(base.node(), base.mode(), base.agentStatus(), base.reasons(), base.policyRevision(), base.ready(), base.tiers(),
                new AgentStatus.Scheduler(sch.driver(), sch.dryRunWhy(), sch.phase(), sch.kernelState(), sch.ops(), sch.enableSeq(),
                        "ejected: " + HOSTILE, null, sch.cpuMax()),
                base.lastReconfiguration(), base.updated(), base.stats(), new AgentStatus.PolicySourceState(Fixtures.REVISION,
                        Instant.parse("2026-11-27T08:00:00Z"), 8130.0, false, null, 2, "fetch failed " + HOSTILE, "rejected " + HOSTILE, null));
        Instant at = Instant.parse("2026-11-27T10:00:00Z");
        return s.withPods(List.of(
                        new AgentStatus.Pod("shop", "frontend-1", "normal", "match-without-priority-class", "normal.match[0]", "Burstable", 0),
                        new AgentStatus.Pod("ns-" + HOSTILE, "pod-" + HOSTILE, "critical", "rule-" + HOSTILE, "because " + HOSTILE, "Guaranteed", 1000)))
                .withSafeModeAndHistory(new AgentStatus.SafeMode(true, List.of(new AgentStatus.Trigger("annotation", "\"" + HOSTILE + "\"", at))),
                        new AgentStatus.History(List.of(new AgentStatus.Reconfiguration(at, "pods " + HOSTILE, 3, 1.0, 0.5, 4, false)),
                                List.of(new AgentStatus.SchedulerEvent(at, "ejected", "kernel said " + HOSTILE))));
    }

    @Test
    void markupInEveryTextStaysText() {
        AuditLog audit = AuditLog.inMemory();
        audit.record("actor " + HOSTILE, "10.0.0.9", "safe-mode.on", Outcome.OK, "detail " + HOSTILE);
        audit.record("anonymous", "10.0.0.9", "safe-mode", Outcome.REFUSED, "why " + HOSTILE);
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var browser = new Browser(profile, "hostile-text");
                var server = StatusServer.start(DashboardBrowserTest::hostileStatus, (on, actor, reason) -> true, registry, Access.staticTokens(StaticTokens.ofTokens(List.of(TOKEN))), audit, "127.0.0.1", 0)) {
            var b = browser;
            b.driver.get("http://127.0.0.1:" + server.port() + "/");
            b.until("rendered", d -> b.text("mode").equals("attach"));
            b.id("token").sendKeys(TOKEN);
            b.id("sign-in").click();
            b.until("the audit trail", d -> b.texts("#audit tr.audit-entry").size() == 2);

            // Shown, literally, where each belongs.
            assertThat(b.texts("#reasons li")).contains("reason " + HOSTILE);
            assertThat(b.texts("#pods tr.pod td:first-child")).contains("ns-" + HOSTILE);
            assertThat(b.texts("#pods tr.pod td:nth-child(2)")).contains("pod-" + HOSTILE);
            assertThat(b.texts("#pods tr.pod td:nth-child(4)")).contains("rule-" + HOSTILE);
            assertThat(b.texts("#pods tr.pod td:nth-child(5)")).contains("because " + HOSTILE);
            assertThat(b.texts("#triggers tr.trigger td:nth-child(2)")).containsExactly("\"" + HOSTILE + "\"");
            assertThat(b.text("last-failure")).isEqualTo("ejected: " + HOSTILE);
            assertThat(b.text("poll-failure")).isEqualTo("fetch failed " + HOSTILE);
            assertThat(b.text("rejection")).isEqualTo("rejected " + HOSTILE);
            assertThat(b.texts("#reconfigurations td:nth-child(2)")).contains("pods " + HOSTILE);
            assertThat(b.texts("#sched-events td:nth-child(3)")).contains("kernel said " + HOSTILE);
            assertThat(b.texts("#audit td:nth-child(2)")).contains("actor " + HOSTILE);
            assertThat(b.texts("#audit td:nth-child(6)")).contains("detail " + HOSTILE, "why " + HOSTILE);
            // The kernel's counters beside the tiers, and the revision's age.
            assertThat(b.texts("#tiers tr.tier td:nth-child(6)")).contains("1.25", "0.50");
            assertThat(b.text("revision-age")).isEqualTo("2.3 h");
            b.screenshot("signed-in");

            // Nothing became markup, nothing ran.
            for (String tag : List.of("img", "svg", "iframe")) {
                assertThat(b.driver.findElements(By.tagName(tag))).as(tag).isEmpty();
            }
            assertThat(b.driver.findElements(By.tagName("script"))).as("the page's own script only").hasSize(1);
            assertThat(b.js("return window.__pwned === undefined")).isEqualTo(true);
            assertThat(b.driver.getTitle()).isEqualTo("Temper");
            // And the page's policy would refuse it anyway: an HTML sink throws under Trusted Types.
            assertThat(b.js("try { document.getElementById('error').innerHTML = '<img src=x>'; return 'assigned'; }"
                    + " catch (e) { return e.name; }")).isEqualTo("TypeError");
            assertThat(b.driver.findElements(By.tagName("img"))).isEmpty();
        }
    }
}
