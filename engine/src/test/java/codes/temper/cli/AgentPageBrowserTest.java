package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.Browser;
import codes.temper.rules.Mode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent's page clicked through in a real headless Chromium (Selenium 4, Debian's chromium and
 * chromedriver), served by a real agent in a cluster: the fabric8 mock API server answers the
 * agent's TokenReview and SubjectAccessReview. Signs in with a bearer token, enters safe mode with
 * a reason through the confirmation step, sees the mode change, leaves it, and checks the audit
 * records of both clicks in the audit file and the Events on the Node. The reason typed and a pod
 * in the cluster carry markup, which must stay text. Screenshots: target/screenshots/agent-page-*.png.
 */
class AgentPageBrowserTest {
    static final String TOKEN = "alice-token-0123456789abcdef";
    static final String HOSTILE_POD = "<img src=x onerror=\"window.__pwned='pod';document.title='pwned'\">";
    static final String HOSTILE_REASON = "disk pressure <script>window.__pwned='reason'</script><img src=x onerror=\"window.__pwned='reason'\">";

    @TempDir
    Path dir;
    ClusterAgent cluster;
    Browser browser;

    @BeforeEach
    void start() throws Exception {
        browser = new Browser(dir.resolve("profile"), "agent-page");
        Pod hostile = new PodBuilder().withNewMetadata().withName(HOSTILE_POD).withNamespace("shop").withUid("0d0d0d0d-0000-4000-8000-00000000000d")
                .endMetadata().withNewSpec().withNodeName(ClusterAgent.NODE).addNewContainer().withName("c").withImage("x").endContainer()
                .endSpec().withNewStatus().withPhase("Running").withQosClass("BestEffort").endStatus().build();
        cluster = new ClusterAgent(dir, null, List.of(hostile));
        cluster.reviews.token(TOKEN, "alice@example.org", "sre", "system:authenticated")
                .allow("group:sre", "get", "nodes", ClusterAgent.NODE).allow("group:sre", "patch", "nodes", ClusterAgent.NODE);
        cluster.await(s -> s.mode() == Mode.DRY_RUN, "engaged (dry run)");
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.close();
        if (cluster != null) cluster.close();
    }

    @Test
    void signInEnterSafeModeWithAReasonThroughTheConfirmationSeeItAndLeaveIt() throws Exception {
        var b = browser;
        b.driver.get(cluster.url() + "/");
        b.until("the page rendered /status", d -> b.text("mode").equals("dry-run"));
        assertThat(b.text("node")).isEqualTo("node-a");
        assertThat(b.text("mode-meaning")).contains("no scheduler is loaded; the node runs CFS");
        assertThat(b.text("revision")).startsWith("dir@sha256:");
        assertThat(b.text("revision-age")).matches("\\d+ s");
        // Pods per tier with the rule that placed each, searchable.
        int all = b.texts("#pods tr.pod").size();
        assertThat(all).isGreaterThan(20);
        assertThat(b.texts("#pods tr.pod td:nth-child(4)")).as("the rule that placed each").allSatisfy(r -> assertThat(r).isNotBlank());
        b.id("pod-search").sendKeys("payments");
        b.until("filtered", d -> b.texts("#pods tr.pod").size() < all);
        assertThat(b.texts("#pods tr.pod td:first-child")).isNotEmpty().allSatisfy(ns -> assertThat(ns).isEqualTo("payments"));
        assertThat(b.text("pod-count")).matches("\\(\\d+ of " + all + "\\)");
        b.id("pod-search").clear();
        b.id("pod-search").sendKeys("onerror");
        b.until("the hostile pod found as text", d -> b.texts("#pods tr.pod").size() == 1);
        assertThat(b.texts("#pods tr.pod td:nth-child(2)")).containsExactly(HOSTILE_POD);
        assertThat(b.id("toggle-area").isDisplayed()).as("no toggle before signing in").isFalse();
        b.screenshot("signed-out");

        // Sign in: the token goes to sessionStorage only.
        b.id("token").sendKeys(TOKEN);
        b.id("sign-in").click();
        b.until("signed in", d -> b.text("whoami").equals("alice@example.org"));
        assertThat(b.text("whoami-via")).isEqualTo("(token-review, may change safe mode)");
        assertThat(b.js("return sessionStorage.getItem('temper.token')")).isEqualTo(TOKEN);
        assertThat(b.js("return localStorage.length")).isEqualTo(0L);
        assertThat(b.js("return document.cookie")).isEqualTo("");

        // Enter safe mode: a reason is required, then a confirmation.
        assertThat(b.id("safe-mode-toggle").getText()).isEqualTo("Enter safe mode\u2026");
        b.id("safe-mode-toggle").click();
        assertThat(b.id("continue").isEnabled()).as("no reason, no way on").isFalse();
        b.id("reason").sendKeys(HOSTILE_REASON);
        b.id("continue").click();
        assertThat(b.text("confirm-text")).startsWith("Stand the scheduler down on node-a?").endsWith("Reason: " + HOSTILE_REASON);
        b.screenshot("confirm-safe-mode");
        assertThat(cluster.agent.status().mode()).as("nothing happens before the confirmation").isEqualTo(Mode.DRY_RUN);
        b.id("confirm").click();
        b.until("safe mode shown", d -> b.text("mode").equals("safe-mode"));
        assertThat(cluster.agent.status().mode()).isEqualTo(Mode.SAFE_MODE);
        b.until("the request and who made it", d -> b.texts("#triggers tr.trigger").size() == 1);
        assertThat(b.texts("#triggers tr.trigger")).singleElement().asString().contains("api", "alice@example.org: " + HOSTILE_REASON);
        assertThat(b.texts("#reasons li")).anySatisfy(r -> assertThat(r).contains(HOSTILE_REASON));
        b.until("the audit trail shows the click", d -> b.texts("#audit tr.outcome-ok").size() == 1);
        assertThat(b.texts("#audit tr.outcome-ok")).singleElement().asString()
                .contains("alice@example.org", "127.0.0.1", "safe-mode.on", HOSTILE_REASON);
        b.screenshot("safe-mode");

        // Leave it the same way.
        assertThat(b.id("safe-mode-toggle").getText()).isEqualTo("Leave safe mode\u2026");
        b.id("safe-mode-toggle").click();
        b.id("reason").sendKeys("disk freed");
        b.id("continue").click();
        assertThat(b.text("confirm-text")).startsWith("Withdraw the API's safe-mode request on node-a?");
        b.id("confirm").click();
        b.until("engaged again", d -> b.text("mode").equals("dry-run"));
        assertThat(cluster.agent.status().mode()).isEqualTo(Mode.DRY_RUN);
        b.until("both clicks in the trail", d -> b.texts("#audit tr.outcome-ok").size() == 2);
        b.screenshot("safe-mode-left");

        // Markup in the pod name, the reason and the audit text stayed text: nothing ran, no element was made.
        assertThat(b.driver.findElements(By.tagName("img"))).isEmpty();
        assertThat(b.driver.findElements(By.cssSelector("body script"))).hasSize(1);
        assertThat(b.js("return window.__pwned === undefined")).isEqualTo(true);
        assertThat(b.driver.getTitle()).isEqualTo("Temper");

        // The audit records of both clicks, as JSON lines in the file on the node.
        JsonMapper json = JsonMapper.builder().build();
        List<JsonNode> ok = cluster.auditLines().stream().map(json::readTree).filter(e -> e.get("outcome").stringValue().equals("ok")).toList();
        assertThat(ok).hasSize(2);
        assertThat(ok).extracting(e -> e.get("action").stringValue()).containsExactly("safe-mode.on", "safe-mode.off");
        assertThat(ok).extracting(e -> e.get("detail").stringValue()).containsExactly(HOSTILE_REASON, "disk freed");
        assertThat(ok).allSatisfy(e -> {
            assertThat(e.get("actor").stringValue()).isEqualTo("alice@example.org");
            assertThat(e.get("remote").stringValue()).isEqualTo("127.0.0.1");
            assertThat(e.get("time").stringValue()).endsWith("Z");
        });
        // And each allowed change is an Event on the Node.
        Await.until("the Events", java.time.Duration.ofSeconds(30), () -> !cluster.events("TemperSafeModeRequested").isEmpty()
                && !cluster.events("TemperSafeModeWithdrawn").isEmpty());
        assertThat(cluster.events("TemperSafeModeWithdrawn").getFirst().getMessage()).endsWith("by alice@example.org from 127.0.0.1: disk freed");
    }
}
