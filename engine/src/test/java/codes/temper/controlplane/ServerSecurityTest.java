package codes.temper.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import codes.temper.api.Csrf;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 24, must-show 3: what keeps an agent in its lane is enforced by the API server. With an
 * agent's own pod-bound token, the chart's CEL ValidatingAdmissionPolicy refuses another Node and
 * any annotation outside temper.codes/ (403 naming the policy), RBAC refuses Secrets. The agent's
 * POST /safe-mode and the fleet page authorise through the real TokenReview and
 * SubjectAccessReview: a user without the verb gets 403, one with it changes the node, and the
 * audit trail and the Event name that user.
 */
@Tag(ControlPlane.TAG)
@Order(3)
class ServerSecurityTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    static String annotate(String key, String value) {
        return "{\"metadata\":{\"annotations\":{\"" + key + "\":" + (value == null ? "null" : "\"" + value + "\"") + "}}}";
    }

    static KubernetesClientException refused(KubernetesClient c, String node, String patch) {
        try {
            c.nodes().withName(node).patch(MERGE, patch);
        } catch (KubernetesClientException e) {
            return e;
        }
        throw new AssertionError("the API server accepted " + patch + " on " + node);
    }

    @Test
    void anAgentsOwnTokenIsHeldToItsNodeAndItsAnnotationsByTheServer() throws Exception {
        ControlPlane cp = ControlPlane.get();
        AgentFleet fleet = AgentFleet.shared();
        AgentFleet.Agent a = fleet.agents.getFirst();
        String other = fleet.agents.get(1).node();
        try (KubernetesClient agent = TestUsers.client(cp, a.token())) {
            // What it may do: its own node's temper.codes/ annotations (so the refusals below are the policy's, not a bad token).
            agent.nodes().withName(a.node()).patch(MERGE, annotate("temper.codes/probe", "1"));
            agent.nodes().withName(a.node()).patch(MERGE, annotate("temper.codes/probe", null));

            KubernetesClientException otherNode = refused(agent, other, annotate("temper.codes/agent-status", "attached"));
            System.out.println("CEL other node: " + otherNode.getStatus().getMessage());
            assertThat(otherNode.getCode()).isEqualTo(403);
            assertThat(otherNode.getStatus().getMessage()).contains("ValidatingAdmissionPolicy 'temper-agent-own-node'")
                    .contains("temper-agent may change only the Node its token is bound to, not " + other);

            KubernetesClientException foreign = refused(agent, a.node(), annotate("example.com/owner", "me"));
            System.out.println("CEL foreign annotation: " + foreign.getStatus().getMessage());
            assertThat(foreign.getCode()).isEqualTo(403);
            assertThat(foreign.getStatus().getMessage()).contains("ValidatingAdmissionPolicy 'temper-agent-own-node'")
                    .contains("temper-agent may add, change or remove only temper.codes/ annotations");

            KubernetesClientException labels = refused(agent, a.node(), "{\"metadata\":{\"labels\":{\"temper.codes/x\":\"y\"}}}");
            assertThat(labels.getCode()).isEqualTo(403);
            assertThat(labels.getStatus().getMessage()).contains("may not change a Node's labels");

            assertThatThrownBy(() -> agent.secrets().inNamespace(TemperRelease.NAMESPACE).list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(403);
                        assertThat(e.getStatus().getMessage()).contains("User \"system:serviceaccount:temper-system:temper-agent\" cannot list "
                                + "resource \"secrets\"");
                    });
            assertThatThrownBy(() -> agent.secrets().inAnyNamespace().list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
        assertThat(cp.admin().nodes().withName(other).get().getMetadata().getAnnotations().get("temper.codes/agent-status"))
                .isNotEqualTo("attached");
    }

    static HttpResponse<String> post(String url, String body, String token, String csrf) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header(Csrf.HEADER, csrf).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<JsonNode> jsonLines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(JSON::readTree).toList() : List.of();
    }

    static List<Event> nodeEvents(KubernetesClient admin, String node, String reason) {
        return admin.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> node.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    @Test
    void theAgentsSafeModeApiAuthorisesThroughTheServersTokenReviewAndSubjectAccessReview() throws Exception {
        ControlPlane cp = ControlPlane.get();
        KubernetesClient admin = cp.admin();
        AgentFleet fleet = AgentFleet.shared();
        AgentFleet.Agent a = fleet.agents.get(2);
        TestUsers.ensure(admin);
        String viewer = TestUsers.token(admin, TestUsers.VIEWER), operator = TestUsers.token(admin, TestUsers.OPERATOR);
        String url = "http://127.0.0.1:" + a.port() + "/safe-mode";
        String csrf = Csrf.token(a.port());

        HttpResponse<String> denied = post(url, "{\"enabled\": true, \"reason\": \"real-server test\"}", viewer, csrf);
        assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
        assertThat(fleet.status(a).get("mode").asString()).isEqualTo("dry-run");

        HttpResponse<String> ok = post(url, "{\"enabled\": true, \"reason\": \"real-server test\"}", operator, csrf);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(fleet.status(a).get("mode").asString()).isEqualTo("safe-mode");
        String who = TestUsers.username(TestUsers.OPERATOR);
        List<JsonNode> audit = jsonLines(a.dir().resolve("audit.jsonl"));
        assertThat(audit).anySatisfy(e -> {
            assertThat(e.get("actor").asString()).isEqualTo(TestUsers.username(TestUsers.VIEWER));
            assertThat(e.get("outcome").asString()).isEqualTo("denied");
        });
        assertThat(audit).anySatisfy(e -> {
            assertThat(e.get("actor").asString()).isEqualTo(who);
            assertThat(e.get("outcome").asString()).isEqualTo("ok");
        });
        Wait.until("the Event naming the operator", Duration.ofMinutes(1),
                () -> nodeEvents(admin, a.node(), "TemperSafeModeRequested").stream().anyMatch(e -> e.getMessage().contains(who)));

        HttpResponse<String> off = post(url, "{\"enabled\": false, \"reason\": \"done\"}", operator, csrf);
        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
        Wait.until(a.node() + " back in dry run", Duration.ofMinutes(1), () -> "dry-run".equals(fleet.status(a).get("mode").asString()));
    }

    @Test
    void theFleetPageAuthorisesThroughTheServerAndItsToggleReachesTheAgent() throws Exception {
        ControlPlane cp = ControlPlane.get();
        KubernetesClient admin = cp.admin();
        AgentFleet fleet = AgentFleet.shared();
        AgentFleet.Agent a = fleet.agents.get(3);
        TestUsers.ensure(admin);
        String viewer = TestUsers.token(admin, TestUsers.VIEWER), operator = TestUsers.token(admin, TestUsers.OPERATOR);
        try (ControllerProcess controller = ControllerProcess.start(cp, Path.of("target/control-plane-controller").toAbsolutePath())) {
            HttpResponse<String> nodes = get(controller.url() + "/fleet/nodes", viewer);
            assertThat(nodes.statusCode()).as(nodes.body()).isEqualTo(200);
            assertThat(nodes.body()).contains(a.node());
            String csrf = Csrf.token(controller.port);
            String body = "{\"scope\": \"node\", \"node\": \"" + a.node() + "\", \"enabled\": true, \"reason\": \"real-server fleet test\"}";

            HttpResponse<String> denied = post(controller.url() + "/fleet/safe-mode", body, viewer, csrf);
            assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);
            assertThat(denied.body()).contains(TestUsers.username(TestUsers.VIEWER) + " may not patch nodes");

            HttpResponse<String> ok = post(controller.url() + "/fleet/safe-mode", body, operator, csrf);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            Wait.until(a.node() + " in safe mode", Duration.ofMinutes(1), () -> "safe-mode".equals(fleet.status(a).get("mode").asString()));
            String who = TestUsers.username(TestUsers.OPERATOR);
            assertThat(jsonLines(controller.auditFile())).anySatisfy(e -> {
                assertThat(e.get("actor").asString()).isEqualTo(who);
                assertThat(e.get("outcome").asString()).isEqualTo("ok");
            });
            Wait.until("the controller's Event naming the operator", Duration.ofMinutes(1),
                    () -> nodeEvents(admin, a.node(), "TemperSafeModeRequested").stream().anyMatch(e -> e.getMessage().contains(who)));

            String offBody = body.replace("\"enabled\": true", "\"enabled\": false");
            HttpResponse<String> off = post(controller.url() + "/fleet/safe-mode", offBody, operator, csrf);
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
            Wait.until(a.node() + " back in dry run", Duration.ofMinutes(1), () -> "dry-run".equals(fleet.status(a).get("mode").asString()));
        }
    }
}
