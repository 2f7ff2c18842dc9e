package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.Csrf;
import codes.temper.kube.KubeReviews;
import codes.temper.rules.Mode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent's API authenticated the Kubernetes way, against the mock API server: bearer tokens by
 * TokenReview, actions by SubjectAccessReview ({@code get} on the node to read, {@code patch} on
 * it to change safe mode), made by the real fabric8 client calls. Every attempt is a JSON line in
 * the audit file; an allowed change is also an Event on the Node.
 */
class KubernetesAuthApiTest {
    static final String ADMIN = "admin-token-0123456789abcdef";
    static final String VIEWER = "viewer-token-0123456789abcdef";
    static final String STATIC = "static-break-glass-0123456789";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    ClusterAgent cluster;

    @BeforeEach
    void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), STATIC + "\n");
        cluster = new ClusterAgent(dir, tokens, List.of());
        cluster.reviews.token(ADMIN, "alice@example.org", "sre", "system:authenticated")
                .token(VIEWER, "system:serviceaccount:monitoring:viewer", "system:serviceaccounts", "system:authenticated")
                .allow("group:sre", "get", "nodes", ClusterAgent.NODE).allow("group:sre", "patch", "nodes", ClusterAgent.NODE)
                .allow("system:serviceaccount:monitoring:viewer", "get", "nodes", ClusterAgent.NODE);
        cluster.await(s -> s.mode() == Mode.DRY_RUN, "engaged (dry run)");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    HttpResponse<String> post(String body, String token, Map<String, String> headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(cluster.url() + "/safe-mode")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(cluster.url() + path)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    Map<String, String> page() {
        return Map.of(Csrf.HEADER, Csrf.token(cluster.agent.apiPort()));
    }

    List<JsonNode> audit() throws Exception {
        return cluster.auditLines().stream().map(JSON::readTree).toList();
    }

    static final String ON = "{\"enabled\": true, \"reason\": \"incident 42: latency\"}";

    @Test
    void aTokenWhoseAccessReviewIsDeniedGets403AnAuditRecordAndNothingChanges() throws Exception {
        var r = post(ON, VIEWER, page());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(r.body()).get("error").stringValue())
                .isEqualTo("system:serviceaccount:monitoring:viewer may not patch nodes/node-a");

        // The real reviews were made: who the token is, then whether that user may patch the node.
        assertThat(cluster.reviews.tokenReviews).hasSize(1);
        assertThat(cluster.reviews.accessReviews).singleElement().satisfies(sar -> {
            assertThat(sar.getSpec().getUser()).isEqualTo("system:serviceaccount:monitoring:viewer");
            assertThat(sar.getSpec().getGroups()).contains("system:serviceaccounts");
            assertThat(sar.getSpec().getResourceAttributes().getVerb()).isEqualTo("patch");
            assertThat(sar.getSpec().getResourceAttributes().getResource()).isEqualTo("nodes");
            assertThat(sar.getSpec().getResourceAttributes().getName()).isEqualTo("node-a");
        });
        assertThat(audit()).singleElement().satisfies(e -> {
            assertThat(e.get("actor").stringValue()).isEqualTo("system:serviceaccount:monitoring:viewer");
            assertThat(e.get("remote").stringValue()).isEqualTo("127.0.0.1");
            assertThat(e.get("action").stringValue()).isEqualTo("safe-mode");
            assertThat(e.get("outcome").stringValue()).isEqualTo("denied");
            assertThat(e.get("detail").stringValue()).contains("may not patch nodes/node-a");
            assertThat(e.get("time").stringValue()).endsWith("Z");
        });
        // Nothing changed: no trigger, the node still engaged, no Event.
        Thread.sleep(300);
        assertThat(cluster.agent.status().mode()).isEqualTo(Mode.DRY_RUN);
        assertThat(cluster.agent.status().safeMode().triggers()).isEmpty();
        assertThat(cluster.events("TemperSafeModeRequested")).isEmpty();

        // The same user may read: its session says it may not change the node.
        var session = get("/session", VIEWER);
        assertThat(session.statusCode()).isEqualTo(200);
        JsonNode s = JSON.readTree(session.body());
        assertThat(s.get("user").stringValue()).isEqualTo("system:serviceaccount:monitoring:viewer");
        assertThat(s.get("via").stringValue()).isEqualTo("token-review");
        assertThat(s.get("mayChange").booleanValue()).isFalse();
        assertThat(get("/audit", VIEWER).statusCode()).isEqualTo(200);
        // The token was reviewed once: the answer is cached, as kube-rbac-proxy caches it.
        assertThat(cluster.reviews.tokenReviews).hasSize(1);
    }

    @Test
    void anUnknownTokenGets401AndAnAuditRecord() throws Exception {
        var r = post(ON, "nobody-knows-this-token-000000", page());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(r.body()).contains("invalid token").doesNotContain("nobody-knows");
        assertThat(cluster.reviews.accessReviews).as("no authorisation for nobody").isEmpty();
        assertThat(get("/audit", "nobody-knows-this-token-000000").statusCode()).isEqualTo(401);
        assertThat(get("/session", null).statusCode()).isEqualTo(401);
        assertThat(audit()).hasSize(3).allSatisfy(e -> {
            assertThat(e.get("actor").stringValue()).isEqualTo("anonymous");
            assertThat(e.get("outcome").stringValue()).isEqualTo("refused");
        });
        assertThat(audit()).extracting(e -> e.get("action").stringValue()).containsExactly("safe-mode", "audit.read", "sign-in");
        assertThat(String.join("\n", cluster.auditLines())).doesNotContain("nobody-knows");
        assertThat(cluster.agent.status().mode()).isEqualTo(Mode.DRY_RUN);
    }

    @Test
    void aCrossSitePostWithoutThePagesProtectionIsRefusedBeforeAnyReview() throws Exception {
        String token = Csrf.token(cluster.agent.apiPort());
        List<Map<String, String>> forged = List.of(
                Map.of(),                                                              // a form or fetch without the page's token
                Map.of(Csrf.HEADER, "lbkz0a.AAAAAAAAAAAAAAAAAAAAAAAA"),                 // a made-up token
                Map.of(Csrf.HEADER, token, "Sec-Fetch-Site", "cross-site"),              // a token, but from another site
                Map.of(Csrf.HEADER, token, "Sec-Fetch-Site", "same-site"),
                Map.of(Csrf.HEADER, token, "Origin", "http://evil.example"));
        for (var headers : forged) {
            var r = post(ON, ADMIN, headers);
            assertThat(r.statusCode()).as(headers.toString()).isEqualTo(403);
            assertThat(r.body()).containsAnyOf("cross-site request refused", "X-Temper-CSRF");
        }
        assertThat(cluster.reviews.tokenReviews).as("refused before the token is even looked at").isEmpty();
        assertThat(audit()).hasSize(forged.size()).allSatisfy(e -> {
            assertThat(e.get("outcome").stringValue()).isEqualTo("refused");
            assertThat(e.get("action").stringValue()).isEqualTo("safe-mode");
        });
        Thread.sleep(300);
        assertThat(cluster.agent.status().safeMode().triggers()).isEmpty();
        assertThat(cluster.agent.status().mode()).isEqualTo(Mode.DRY_RUN);

        // The page's way (its token, same origin) passes: the change is made, audited and an Event.
        var ok = post(ON, ADMIN, Map.of(Csrf.HEADER, token, "Sec-Fetch-Site", "same-origin", "Origin", cluster.url()));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        cluster.await(s -> s.mode() == Mode.SAFE_MODE, "safe mode");
        assertThat(cluster.agent.status().safeMode().triggers()).singleElement()
                .satisfies(t -> assertThat(t.detail()).isEqualTo("alice@example.org: incident 42: latency"));
        assertThat(audit().getLast().get("actor").stringValue()).isEqualTo("alice@example.org");
        assertThat(audit().getLast().get("outcome").stringValue()).isEqualTo("ok");
        ClusterAgentAwait.until("the Event on the node", () -> !cluster.events("TemperSafeModeRequested").isEmpty());
        assertThat(cluster.events("TemperSafeModeRequested")).singleElement().satisfies(e -> assertThat(e.getMessage())
                .isEqualTo("safe mode requested through the status API by alice@example.org from 127.0.0.1: incident 42: latency"));

        var off = post("{\"enabled\": false, \"reason\": \"resolved\"}", ADMIN, Map.of(Csrf.HEADER, token));
        assertThat(off.statusCode()).isEqualTo(200);
        cluster.await(s -> s.mode() == Mode.DRY_RUN, "re-engaged");
        ClusterAgentAwait.until("the withdrawal's Event", () -> !cluster.events("TemperSafeModeWithdrawn").isEmpty());
        // One TokenReview and one SubjectAccessReview served both changes (cached briefly).
        assertThat(cluster.reviews.tokenReviews).hasSize(1);
        assertThat(cluster.reviews.accessReviews).hasSize(1);
    }

    @Test
    void theStaticTokenWorksWithoutTheApiServerAndAReviewThatCannotBeMadeIs503() throws Exception {
        cluster.reviews.failWith(403); // the agent's ClusterRole lacks tokenreviews: create
        var r = post(ON, ADMIN, page());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(r.body()).get("error").stringValue())
                .contains("the agent's own credentials may not create tokenreviews.authentication.k8s.io");
        assertThat(audit().getLast().get("outcome").stringValue()).isEqualTo("refused");

        // Break glass: a static token needs no review, and may do everything.
        var s = post(ON, STATIC, page());
        assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
        cluster.await(st -> st.mode() == Mode.SAFE_MODE, "safe mode by the static token");
        assertThat(audit().getLast().get("actor").stringValue()).startsWith("token:");
    }

    @Test
    void anApiServerThatDoesNotAnswerReviewsNeverHoldsUpTheProbesOrStatus() throws Exception {
        var gate = new java.util.concurrent.CountDownLatch(1);
        cluster.reviews.holdUntil(gate);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> waiting = new java.util.ArrayList<>();
        try {
            // More requests needing a review than the server has pool threads (16), each with its own token.
            for (int i = 0; i < 40; i++) {
                waiting.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(cluster.url() + "/audit"))
                        .header("Authorization", "Bearer waiting-token-" + i + "-0123456789").timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(500); // lets them arrive; what follows asserts an order, not a time
            // The probes and /status answer while every one of those waits for the API server.
            assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
            assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
            assertThat(get("/status", null).statusCode()).isEqualTo(200);
            assertThat(get("/metrics", null).statusCode()).isEqualTo(200);
            assertThat(waiting).as("none answered yet: they wait for their review").noneMatch(java.util.concurrent.CompletableFuture::isDone);
        } finally {
            gate.countDown();
        }
        // Each is answered in the end: 401 once its review came back, or 503 when it waited past its
        // turn (at most 16 reviews wait for the API server at a time).
        for (var f : waiting) assertThat(f.get().statusCode()).isIn(401, 503);
    }

    /** A tiny wait for things the agent does on its own threads. */
    static final class ClusterAgentAwait {
        static void until(String what, java.util.function.BooleanSupplier p) throws InterruptedException {
            Await.until(what, Duration.ofSeconds(30), p);
        }
    }
}
