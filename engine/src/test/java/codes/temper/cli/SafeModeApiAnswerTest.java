package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.auth.StaticTokens;
import codes.temper.kube.CgroupDriver;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Mode;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 25, point 11: {@code POST /safe-mode} answers with the node's state after the change (a
 * release re-engages on the loop's next pass, which the answer now waits for), and a request that
 * is refused for its missing cross-site header is audited as the token's owner, not "anonymous".
 * A real agent in file mode, dry-run driver, static token.
 */
class SafeModeApiAnswerTest {
    static final String TOKEN = "answer-token-0123456789abcdef";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;
    Agent agent;
    String base;

    @BeforeEach
    void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        Agent.Options o = new Agent.Options(null, null, Path.of("../policies/examples/pods.yaml"), Path.of("../policies/examples/node.yaml"),
                "../policies", dir.resolve("cache"), null, null, Duration.ofSeconds(5), Duration.ofSeconds(1), null, Duration.ofMillis(20),
                DriverChoice.Mode.DRY_RUN, null, Files.createDirectories(dir.resolve("cgroup")), CgroupDriver.SYSTEMD,
                // The loop's own pacing as the agent's defaults have it: a release is not helped by a short debounce.
                Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(), new Agent.Api("127.0.0.1", 0, tokens, null), null);
        agent = new Agent(o).start();
        Await.until("the first pass", Duration.ofSeconds(30), () -> agent.status() != null && agent.status().mode() == Mode.DRY_RUN);
        base = "http://127.0.0.1:" + agent.apiPort();
    }

    @AfterEach
    void stop() {
        if (agent != null) agent.close();
    }

    HttpResponse<String> post(String body, boolean csrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/safe-mode")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (csrf) {
            String token = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/csrf-token")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("token").asString();
            b.header("X-Temper-CSRF", token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachAnswerIsTheStateAfterTheChange() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> on = post("{\"enabled\": true, \"reason\": \"INC-1\"}", true);
            assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
            assertThat(JSON.readTree(on.body()).get("mode").asString()).isEqualTo("safe-mode");

            HttpResponse<String> off = post("{\"enabled\": false, \"reason\": \"INC-1 over\"}", true);
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
            JsonNode after = JSON.readTree(off.body());
            assertThat(after.get("mode").asString()).as("the answer to a release").isEqualTo("dry-run");
            assertThat(after.get("safeMode").get("requested").asBoolean()).isFalse();
        }
    }

    @Test
    void aRequestWithoutTheCrossSiteHeaderIsAuditedAsItsTokensOwner() throws Exception {
        HttpResponse<String> r = post("{\"enabled\": true, \"reason\": \"forgot the header\"}", false);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("X-Temper-CSRF").contains("GET /csrf-token");
        assertThat(agent.status().mode()).isEqualTo(Mode.DRY_RUN);
        List<String> audit = Files.readAllLines(dir.resolve("cache/api/audit.jsonl"));
        assertThat(audit).singleElement().satisfies(line -> {
            JsonNode e = JSON.readTree(line);
            assertThat(e.get("actor").asString()).isEqualTo(StaticTokens.actorOf(TOKEN)).isNotEqualTo("anonymous");
            assertThat(e.get("outcome").asString()).isEqualTo("refused");
        });
    }
}
