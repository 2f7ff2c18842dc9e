package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.Csrf;
import codes.temper.controller.FleetToggle;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The controller's fleet page API against the mock API server: reading needs {@code list} on
 * nodes and toggling {@code patch} on nodes, checked by TokenReview and SubjectAccessReview through
 * the real fabric8 calls. Every toggle attempt is a JSON line in the controller's audit file, and a
 * refused one changes nothing: no TemperPolicy, no node annotation.
 */
class FleetPageApiTest {
    static final String ADMIN = "admin-token-0123456789abcdef";
    static final String VIEWER = "viewer-token-0123456789abcdef";
    static final String STRANGER = "stranger-token-0123456789abcdef";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final List<String> NODES = List.of("node-a", "node-b", "node-c");

    @TempDir
    Path dir;
    FleetCluster fleet;

    @BeforeEach
    void start() throws Exception {
        fleet = new FleetCluster(dir, NODES, n -> Map.of("pool", n.equals("node-c") ? "cpu" : "gpu"), false, null);
        fleet.reviews.token(ADMIN, "alice@example.org", "sre", "system:authenticated")
                .token(VIEWER, "bob@example.org", "viewers", "system:authenticated")
                .token(STRANGER, "eve@example.org", "system:authenticated")
                .allow("group:sre", "list", "nodes", null).allow("group:sre", "patch", "nodes", null)
                .allow("group:viewers", "list", "nodes", null);
    }

    @AfterEach
    void stop() {
        if (fleet != null) fleet.close();
    }

    HttpResponse<String> post(String body, String token, Map<String, String> headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(fleet.url() + "/fleet/safe-mode")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(fleet.url() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    Map<String, String> page() {
        return Map.of(Csrf.HEADER, Csrf.token(fleet.page.port()));
    }

    List<JsonNode> audit() throws Exception {
        return fleet.auditLines().stream().map(JSON::readTree).toList();
    }

    static String toggle(String scope, String target, boolean on, String reason) {
        Map<String, Object> m = new HashMap<>(Map.of("scope", scope, "enabled", on, "reason", reason));
        if (scope.equals("node")) m.put("node", target);
        if (scope.equals("selector")) m.put("selector", target);
        return JSON.writeValueAsString(m);
    }

    void assertNothingChanged() {
        assertThat(fleet.policies()).isEmpty();
        for (String n : NODES) assertThat(fleet.annotations(n).get("temper.codes/safe-mode-requested")).isNull();
    }

    @Test
    void anUnknownTokenGets401ADeniedOne403AndNeitherChangesAnything() throws Exception {
        var unknown = post(toggle("all", null, true, "try"), "not-a-token-0123456789", page());
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"temper\"");
        assertThat(get("/fleet/nodes", null).statusCode()).isEqualTo(401);

        // bob may read the fleet, not toggle it; eve may do neither
        assertThat(get("/fleet/nodes", VIEWER).statusCode()).isEqualTo(200);
        assertThat(get("/fleet/nodes", STRANGER).statusCode()).isEqualTo(403);
        var denied = post(toggle("node", "node-a", true, "try"), VIEWER, page());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(denied.body()).get("error").stringValue()).contains("bob@example.org may not patch nodes");
        assertThat(fleet.reviews.accessReviews).anySatisfy(r -> {
            assertThat(r.getSpec().getUser()).isEqualTo("bob@example.org");
            assertThat(r.getSpec().getResourceAttributes().getVerb()).isEqualTo("patch");
            assertThat(r.getSpec().getResourceAttributes().getResource()).isEqualTo("nodes");
        });
        Thread.sleep(300); // a pass the controller might make (it must not: nothing asks it to)
        assertNothingChanged();

        List<JsonNode> audit = audit();
        assertThat(audit).anySatisfy(e -> {
            assertThat(e.get("actor").stringValue()).isEqualTo("anonymous");
            assertThat(e.get("action").stringValue()).isEqualTo("fleet.safe-mode");
            assertThat(e.get("outcome").stringValue()).isEqualTo("refused");
            assertThat(e.get("remote").stringValue()).isEqualTo("127.0.0.1");
        });
        assertThat(audit).anySatisfy(e -> {
            assertThat(e.get("actor").stringValue()).isEqualTo("bob@example.org");
            assertThat(e.get("outcome").stringValue()).isEqualTo("denied");
            assertThat(e.get("detail").stringValue()).contains("may not patch nodes");
        });
        assertThat(String.join("\n", fleet.auditLines())).doesNotContain(VIEWER, "not-a-token");
    }

    @Test
    void aCrossSitePostIsRefusedEvenWithAGoodToken() throws Exception {
        String body = toggle("all", null, true, "forged");
        assertThat(post(body, ADMIN, Map.of()).statusCode()).as("no page token").isEqualTo(403);
        var csrf = page();
        assertThat(post(body, ADMIN, Map.of(Csrf.HEADER, "x1.forged")).statusCode()).isEqualTo(403);
        var viaSite = new HashMap<>(csrf);
        viaSite.put("Sec-Fetch-Site", "cross-site");
        assertThat(post(body, ADMIN, viaSite).statusCode()).isEqualTo(403);
        var viaOrigin = new HashMap<>(csrf);
        viaOrigin.put("Origin", "https://evil.example");
        var r = post(body, ADMIN, viaOrigin);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(r.body()).get("error").stringValue()).contains("cross-site request refused");
        assertNothingChanged();
        assertThat(audit()).filteredOn(e -> e.get("outcome").stringValue().equals("refused")).hasSize(4);
        assertThat(fleet.reviews.tokenReviews).as("a forged request costs no API server call").isEmpty();
    }

    @Test
    void badInputIsRefusedWithAClearMessageAndAudited() throws Exception {
        Map<String, String> csrf = page();
        Map<String, String> cases = Map.of(
                toggle("selector", "pool in (gpu", true, "x"), "unbalanced parentheses",
                toggle("selector", "pool=gpu", true, "   "), "field \"reason\" is blank",
                toggle("all", null, true, "x".repeat(501)), "longer than 500",
                toggle("node", "node-zz", true, "x"), "no node named node-zz",
                toggle("selector", "pool=tpu", true, "x"), "selects no node now",
                toggle("all", null, false, "x"), "no fleet toggle is on for all nodes",
                "{\"scope\": \"galaxy\", \"enabled\": true, \"reason\": \"x\"}", "field \"scope\" must be node, selector or all",
                "{\"scope\": \"all\", \"enable\": true, \"reason\": \"x\"}", "unknown field \"enable\"",
                "not json", "not valid JSON");
        for (var c : cases.entrySet()) {
            var r = post(c.getKey(), ADMIN, csrf);
            assertThat(r.statusCode()).as(c.getKey()).isBetween(400, 409);
            String error = JSON.readTree(r.body()).get("error").stringValue();
            assertThat(error).as(c.getKey()).contains(c.getValue()).doesNotContain("Exception", "\tat ");
        }
        assertThat(get("/fleet/nodes?selector=" + URLEncoder.encode("a in (", StandardCharsets.UTF_8), ADMIN).body()).contains("unbalanced");
        assertThat(get("/fleet/nodes?limit=abc", ADMIN).statusCode()).isEqualTo(400);
        assertNothingChanged();
        assertThat(audit()).filteredOn(e -> e.get("outcome").stringValue().equals("invalid")).hasSize(cases.size());
    }

    @Test
    void anAllowedToggleIsAPolicyTheControllerAppliesWithItsMarkerAndLeavesAnOperatorsAnnotationAlone() throws Exception {
        // node-c: an operator's own request, made with kubectl annotate (no controller marker)
        fleet.client.nodes().withName("node-c").edit(n -> {
            n.getMetadata().getAnnotations().put("temper.codes/safe-mode-requested", "true");
            n.getMetadata().getAnnotations().put("temper.codes/safe-mode-reason", "operator: disk");
            return n;
        });
        var r = post(toggle("selector", "pool=gpu", true, "gpu driver bug"), ADMIN, page());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("result").stringValue()).contains("nodes matching pool=gpu", "2 node(s)");
        var policy = fleet.policies().getFirst();
        assertThat(policy.getMetadata().getLabels()).containsEntry(FleetToggle.LABEL, "true");
        Await.until("node-a and node-b asked into safe mode with the controller's marker", Duration.ofSeconds(30), () ->
                List.of("node-a", "node-b").stream().allMatch(n -> ("controller/" + policy.getMetadata().getName() + "/fleet-toggle")
                        .equals(fleet.annotations(n).get("temper.codes/safe-mode-requested-by"))));
        assertThat(fleet.annotations("node-a")).containsEntry("temper.codes/safe-mode-reason", "gpu driver bug (fleet page, alice@example.org)");

        // all nodes on, then off: node-c's own annotation is never adopted nor removed
        assertThat(post(toggle("all", null, true, "fleet-wide"), ADMIN, page()).statusCode()).isEqualTo(200);
        var list = JSON.readTree(get("/fleet/toggles", ADMIN).body());
        assertThat(list).hasSize(2);
        assertThat(list.findValuesAsString("scope")).containsExactlyInAnyOrder("all", "selector");
        assertThat(post(toggle("all", null, false, "done"), ADMIN, page()).statusCode()).isEqualTo(200);
        assertThat(post(toggle("selector", "pool=gpu", false, "done"), ADMIN, page()).statusCode()).isEqualTo(200);
        // (The mock server keeps a merge patch's nulls as null values; the API server drops the keys.)
        Await.until("the controller withdrew its requests", Duration.ofSeconds(30), () ->
                List.of("node-a", "node-b").stream().allMatch(n -> fleet.annotations(n).get("temper.codes/safe-mode-requested") == null));
        assertThat(fleet.annotations("node-c")).containsEntry("temper.codes/safe-mode-requested", "true")
                .containsEntry("temper.codes/safe-mode-reason", "operator: disk");
        assertThat(fleet.annotations("node-c").get("temper.codes/safe-mode-requested-by")).isNull();
        assertThat(fleet.policies()).isEmpty();

        assertThat(audit()).filteredOn(e -> e.get("outcome").stringValue().equals("ok")).extracting(e -> e.get("action").stringValue())
                .containsExactly("fleet.safe-mode.on", "fleet.safe-mode.on", "fleet.safe-mode.off", "fleet.safe-mode.off");
        assertThat(audit()).filteredOn(e -> e.get("outcome").stringValue().equals("ok")).first()
                .satisfies(e -> assertThat(e.get("detail").stringValue()).isEqualTo("nodes matching pool=gpu: gpu driver bug"));
        assertThat(fleet.events("TemperFleetSafeModeRequested")).hasSize(2).allSatisfy(e -> {
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("TemperPolicy");
            assertThat(e.getMessage()).contains("by alice@example.org");
        });
        assertThat(fleet.events("TemperFleetSafeModeWithdrawn")).hasSize(2);
    }

    @Test
    void theNodeListComesFromTheCacheFilteredAndPaged() throws Exception {
        var all = JSON.readTree(get("/fleet/nodes?limit=2", VIEWER).body());
        assertThat(all.get("total").intValue()).isEqualTo(3);
        assertThat(all.get("nodes")).hasSize(2);
        assertThat(all.get("next").stringValue()).isEqualTo("node-b");
        var rest = JSON.readTree(get("/fleet/nodes?limit=2&after=node-b", VIEWER).body());
        assertThat(rest.get("nodes").findValuesAsString("name")).containsExactly("node-c");
        assertThat(rest.get("next").isNull()).isTrue();
        var gpu = JSON.readTree(get("/fleet/nodes?selector=pool%3Dgpu", VIEWER).body());
        assertThat(gpu.get("matched").intValue()).isEqualTo(2);
        fleet.api.takeRecordedRequests();
        for (int i = 0; i < 5; i++) assertThat(get("/fleet/nodes?selector=pool%3Dcpu", VIEWER).statusCode()).isEqualTo(200);
        // The reviews are cached and the nodes come from the informer: the page loads reach the API server not at all.
        assertThat(fleet.api.takeRecordedRequests()).noneMatch(r -> r.startsWith("GET /api/v1/nodes") && !r.contains("watch=true"))
                .noneMatch(r -> r.contains("subjectaccessreviews"));
    }

    @Test
    void thePageIsNotReadyWhileItsWatchesAreDownAndReadyAgainOnceTheyAreBack() throws Exception {
        assertThat(get("/healthz", null).body()).isEqualTo("ok");
        fleet.api.stop();
        Await.until("the page reports its watch down", Duration.ofSeconds(20), () -> {
            try {
                var r = get("/healthz", null);
                return r.statusCode() == 503 && r.body().contains("watch is down");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        fleet.api.start();
        Await.until("the page is ready again", Duration.ofSeconds(20), () -> {
            try {
                return get("/healthz", null).statusCode() == 200;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }
}
