package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code temper agent} killed with SIGKILL and started again on the same node directory (issue
 * 13, item 3): a safe-mode request made through the API and the audit trail survive it, and a
 * request file that cannot be read back counts as a request (fail-safe).
 */
class AgentRestartTest {
    static final String TOKEN = "test-token-0123456789abcdef";

    @TempDir
    Path dir;
    Process agent;
    Path log;

    @AfterEach
    void kill() {
        if (agent != null) agent.destroyForcibly();
    }

    int start() throws Exception {
        Path pods = dir.resolve("pods.yaml"), node = dir.resolve("node.yaml"), tokens = dir.resolve("tokens");
        if (!Files.exists(pods)) {
            Files.copy(Path.of("../policies/examples/pods.yaml"), pods);
            Files.copy(Path.of("../policies/examples/node.yaml"), node);
            Files.writeString(tokens, TOKEN + "\n");
        }
        log = dir.resolve("agent-" + System.nanoTime() + ".log");
        agent = TemperProcess.start(log, "agent", "--policies", "../policies", "--pods-file", pods.toString(), "--node-file", node.toString(),
                "--cache-dir", dir.resolve("state").toString(), "--port", "0", "--bind", "127.0.0.1",
                "--api-tokens", tokens.toString(), "--cgroup-root", dir.resolve("cgroup").toString());
        return TemperProcess.statusPort(agent, log);
    }

    void killHard() throws Exception {
        agent.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    static HttpResponse<String> post(int port, String body) throws Exception {
        return AgentProcessTest.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/safe-mode"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .header(codes.temper.api.Csrf.HEADER, codes.temper.api.Csrf.token(port))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode audit(int port) throws Exception {
        var r = AgentProcessTest.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/audit"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return AgentProcessTest.JSON.readTree(r.body());
    }

    @Test
    void anApiSafeModeRequestAndTheAuditTrailSurviveKillMinusNine() throws Exception {
        int port = start();
        AgentProcessTest.await(port, s -> AgentProcessTest.ENGAGED.contains(s.get("mode").asString()) && s.get("ready").asBoolean(), "attach");
        assertThat(post(port, "{\"enabled\": true, \"reason\": \"incident 9\"}").statusCode()).isEqualTo(200);
        AgentProcessTest.await(port, s -> s.get("mode").asString().equals("safe-mode"), "safe mode");
        killHard();

        port = start();
        JsonNode st = AgentProcessTest.await(port, s -> s.get("ready").asBoolean() || s.get("mode").asString().equals("safe-mode"), "up");
        assertThat(st.get("mode").asString()).isEqualTo("safe-mode");
        assertThat(st.get("reasons").toString()).contains("POST /safe-mode", "incident 9");
        assertThat(st.get("scheduler").get("phase").asString()).isEqualTo("DETACHED");
        assertThat(audit(port).valueStream().map(e -> e.get("action").asString() + " " + e.get("detail").asString()).toList())
                .contains("safe-mode.on incident 9");

        // Withdrawn through the API, then killed again: it stays withdrawn.
        assertThat(post(port, "{\"enabled\": false, \"reason\": \"resolved\"}").statusCode()).isEqualTo(200);
        AgentProcessTest.await(port, s -> AgentProcessTest.ENGAGED.contains(s.get("mode").asString()), "re-engaged");
        killHard();
        port = start();
        st = AgentProcessTest.await(port, s -> AgentProcessTest.ENGAGED.contains(s.get("mode").asString()) && s.get("ready").asBoolean(), "attach after restart");
        assertThat(audit(port).valueStream().map(e -> e.get("action").asString()).toList()).containsSubsequence("safe-mode.on", "safe-mode.off");
        killHard();

        // A request file that cannot be read back counts as a request: the node stays on CFS.
        try (var files = Files.walk(dir.resolve("state"))) {
            Path request = files.filter(p -> p.getFileName().toString().equals("safe-mode-request.json")).findFirst().orElseThrow();
            Files.writeString(request, "{\"enabled\": fal");
        }
        port = start();
        st = AgentProcessTest.await(port, s -> s.get("mode").asString().equals("safe-mode"), "safe mode from an unreadable request");
        assertThat(st.get("reasons").toString()).contains("safe-mode-request.json", "cannot be read", "taken as a request");
        assertThat(Files.readString(log)).doesNotContain("\tat ");
        assertThat(post(port, "{\"enabled\": false, \"reason\": \"checked\"}").statusCode()).isEqualTo(200);
        AgentProcessTest.await(port, s -> AgentProcessTest.ENGAGED.contains(s.get("mode").asString()), "withdrawn");
    }

    /** Issue 13, item 10: SIGUSR1 is logged and ignored; SIGTERM logs what it stood down. */
    @Test
    void sigusr1IsLoggedAndIgnoredAndSigtermSaysWhatItStoodDown() throws Exception {
        int port = start();
        AgentProcessTest.await(port, s -> AgentProcessTest.ENGAGED.contains(s.get("mode").asString() + "/" + s.get("scheduler").get("phase").asString()), "attached");
        signal("USR1");
        awaitLog("SIGUSR1");
        assertThat(agent.isAlive()).isTrue();
        assertThat(AgentProcessTest.status(port).get("mode").asString()).isIn(AgentProcessTest.ENGAGED);

        signal("TERM");
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(out).contains("SIGTERM or exit: standing down")
                .containsPattern("stood down: the scheduler was (ATTACHED|DRY_RUN) .*; the node runs its stock scheduler \\(CFS\\)");
        assertThat(out).doesNotContain("\tat ");
    }

    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(agent.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    void awaitLog(String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.readString(log).contains(text)) {
            assertThat(System.nanoTime()).as("log line " + text + "; agent alive: " + agent.isAlive() + "; log:\n" + Files.readString(log)).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
