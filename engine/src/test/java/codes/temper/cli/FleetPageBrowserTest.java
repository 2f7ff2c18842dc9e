package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.Browser;
import codes.temper.rules.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The controller's fleet page clicked through in a real headless Chromium (Selenium 4, Debian's
 * chromium and chromedriver) against the mock API server with five real agents (dry-run driver):
 * sign in with a token, put one node into safe mode with a reason through the confirmation step
 * and see its agent stand down, then all nodes, then turn both toggles off and see every agent
 * re-engage. The audit record of each click is checked in the controller's audit file. The user's
 * name, a node label and the reason carry markup, which must stay text. Screenshots:
 * target/screenshots/fleet-page-*.png.
 */
class FleetPageBrowserTest {
    static final String TOKEN = "alice-token-0123456789abcdef";
    static final String USER = "alice<img src=x onerror=\"window.__pwned='user'\">@example.org";
    static final String HOSTILE_LABEL = "<img src=x onerror=\"window.__pwned='label';document.title='pwned'\">";
    static final String HOSTILE_REASON = "kernel bug <script>window.__pwned='reason'</script><b>bold</b>";
    static final List<String> NODES = List.of("node-0", "node-1", "node-2", "node-3", "node-4");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;
    FleetCluster fleet;
    Browser browser;

    @BeforeEach
    void start() throws Exception {
        browser = new Browser(dir.resolve("profile"), "fleet-page");
        fleet = new FleetCluster(dir, NODES, n -> n.equals("node-3") ? Map.of("note", HOSTILE_LABEL) : Map.of("pool", "web"), true, null);
        fleet.reviews.token(TOKEN, USER, "sre", "system:authenticated")
                .allow("group:sre", "list", "nodes", null).allow("group:sre", "patch", "nodes", null);
        Await.until("every agent engaged and annotated", Duration.ofSeconds(60),
                () -> NODES.stream().allMatch(n -> FleetCluster.ENGAGED.equals(fleet.agentStatus(n))));
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.close();
        if (fleet != null) fleet.close();
    }

    /** The mode column of the node table, by node name, read in one script run (the table re-renders on every poll). */
    @SuppressWarnings("unchecked")
    Map<String, String> modes() {
        return (Map<String, String>) browser.js("return Object.fromEntries(Array.from(document.querySelectorAll('#nodes tr.node'))"
                + ".map(r => [r.dataset.node, r.cells[1].innerText]))");
    }

    /** The two steps after a toggle button: a reason (required), then the confirmation, which must say what will happen. */
    void reasonAndConfirm(String reason, String confirmStart) {
        var b = browser;
        assertThat(b.id("continue").isEnabled()).as("no reason, no way on").isFalse();
        b.id("reason").sendKeys(reason);
        b.id("continue").click();
        assertThat(b.text("confirm-text")).startsWith(confirmStart).endsWith("Reason: " + reason);
    }

    /** Its whole dialogue, then waits until the agents' modes, as the page shows them, are {@code expected}. */
    void confirmAndSee(String reason, String confirmStart, String what, java.util.function.Predicate<Map<String, String>> expected) {
        reasonAndConfirm(reason, confirmStart);
        browser.id("confirm").click();
        browser.until(what, d -> modes().size() == 5 && expected.test(modes()));
    }

    void turnOff(String target) {
        browser.until("the toggle for " + target + " listed", d -> browser.js("return Array.from(document.querySelectorAll('#toggles tr.toggle'))"
                + ".some(r => r.cells[0].innerText === arguments[0])", target).equals(true));
        browser.js("Array.from(document.querySelectorAll('#toggles tr.toggle')).find(r => r.cells[0].innerText === arguments[0])"
                + ".querySelector('button.turn-off').click()", target);
    }

    List<JsonNode> okAudit() throws Exception {
        return fleet.auditLines().stream().map(JSON::readTree).filter(e -> e.get("outcome").stringValue().equals("ok")).toList();
    }

    @Test
    void signInStandOneNodeDownThenAllThenReengageThemAll() throws Exception {
        var b = browser;
        b.driver.get(fleet.url() + "/");
        assertThat(b.id("toggle-area").isDisplayed()).as("no toggle before signing in").isFalse();
        assertThat(b.texts("#nodes tr.node")).as("no fleet before signing in").isEmpty();
        b.screenshot("signed-out");

        b.id("token").sendKeys(TOKEN);
        b.id("sign-in").click();
        b.until("signed in", d -> b.text("whoami").equals(USER));
        assertThat(b.text("whoami-via")).isEqualTo("(token-review, may toggle safe mode)");
        assertThat(b.js("return sessionStorage.getItem('temper.fleet.token')")).isEqualTo(TOKEN);
        assertThat(b.js("return localStorage.length")).isEqualTo(0L);
        b.until("five nodes, all engaged (dry run)", d -> modes().size() == 5 && modes().values().stream().allMatch("dry-run"::equals));
        assertThat(b.text("total")).isEqualTo("5");
        assertThat(b.texts("#nodes tr.node td.labels")).anySatisfy(l -> assertThat(l).contains("note=" + HOSTILE_LABEL));

        // One node, with a reason and a confirmation.
        b.id("target-node").sendKeys("node-2");
        b.id("enable").click();
        reasonAndConfirm(HOSTILE_REASON, "Stand the scheduler down on node node-2?");
        b.screenshot("confirm-one-node");
        assertThat(fleet.policies()).as("nothing happens before the confirmation").isEmpty();
        b.id("confirm").click();
        b.until("node-2's agent stood down, as the page shows", d -> "safe-mode".equals(modes().get("node-2")));
        assertThat(fleet.agents.get(2).status().mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(modes()).as("only node-2").containsEntry("node-1", "dry-run").containsEntry("node-3", "dry-run");
        assertThat(fleet.annotations("node-2")).containsEntry("temper.codes/safe-mode-reason", HOSTILE_REASON + " (fleet page, " + USER + ")");
        b.until("the click in the audit trail", d -> b.texts("#audit tr.outcome-ok").size() == 1);
        assertThat(b.texts("#audit tr.outcome-ok")).singleElement().asString().contains(USER, "127.0.0.1", "fleet.safe-mode.on",
                "node node-2: " + HOSTILE_REASON);
        b.screenshot("one-node-safe-mode");

        // Every node.
        b.id("scope-all").click();
        b.id("enable").click();
        confirmAndSee("fleet-wide stand-down", "Stand the scheduler down on every node of the fleet?", "every agent stood down",
                m -> m.values().stream().allMatch("safe-mode"::equals));
        assertThat(fleet.agents).allSatisfy(a -> assertThat(a.status().mode()).isEqualTo(Mode.SAFE_MODE));
        b.until("two toggles in force", d -> b.texts("#toggles tr.toggle").size() == 2);
        b.screenshot("all-nodes-safe-mode");

        // Off again: the all-nodes toggle, then node-2's; every agent re-engages.
        turnOff("all nodes");
        confirmAndSee("incident over", "Turn off the safe-mode toggle for every node of the fleet?", "all but node-2 re-engaged",
                m -> m.entrySet().stream().allMatch(e -> e.getValue().equals(e.getKey().equals("node-2") ? "safe-mode" : "dry-run")));
        turnOff("node node-2");
        confirmAndSee("kernel fixed", "Turn off the safe-mode toggle for node node-2?", "every agent re-engaged",
                m -> m.values().stream().allMatch("dry-run"::equals));
        assertThat(fleet.agents).allSatisfy(a -> assertThat(a.status().mode()).isEqualTo(Mode.DRY_RUN));
        b.until("four clicks in the trail", d -> b.texts("#audit tr.outcome-ok").size() == 4);
        b.screenshot("reengaged");

        // The audit file: one record per click, who, from where, what, why.
        List<JsonNode> ok = okAudit();
        assertThat(ok).extracting(e -> e.get("action").stringValue())
                .containsExactly("fleet.safe-mode.on", "fleet.safe-mode.on", "fleet.safe-mode.off", "fleet.safe-mode.off");
        assertThat(ok).extracting(e -> e.get("detail").stringValue()).containsExactly("node node-2: " + HOSTILE_REASON,
                "all nodes: fleet-wide stand-down", "all nodes: incident over", "node node-2: kernel fixed");
        assertThat(ok).allSatisfy(e -> {
            assertThat(e.get("actor").stringValue()).isEqualTo(USER);
            assertThat(e.get("remote").stringValue()).isEqualTo("127.0.0.1");
            assertThat(e.get("time").stringValue()).isNotBlank();
        });
        assertThat(fleet.events("TemperFleetSafeModeRequested")).hasSize(2);

        // Markup in the user's name, a label, the reason and the audit text stayed text.
        assertThat(b.driver.findElements(By.tagName("img"))).isEmpty();
        assertThat(b.driver.findElements(By.tagName("b"))).as("only the page's own <b> for the user").hasSize(1);
        assertThat(b.driver.findElements(By.cssSelector("body script"))).hasSize(1);
        assertThat(b.js("return window.__pwned === undefined")).isEqualTo(true);
        assertThat(b.driver.getTitle()).isEqualTo("Temper fleet");
    }
}
