package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code temper agent} as a process, exactly as an operator starts it in file mode, observed
 * only from outside: its status API, its exit code and its log.
 */
class AgentProcessTest {
    // Auto driver: attached where this host can load the scheduler, a dry run (never "attached") elsewhere.
    static final java.util.Set<String> ENGAGED = java.util.Set.of("attach", "dry-run", "attach/ATTACHED", "dry-run/DRY_RUN");
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;
    Process agent;
    Path log;

    @AfterEach
    void kill() {
        if (agent != null) agent.destroyForcibly();
    }

    int start(Path safeMode) throws Exception {
        Path pods = Files.copy(Path.of("../policies/examples/pods.yaml"), dir.resolve("pods.yaml"));
        Path node = Files.copy(Path.of("../policies/examples/node.yaml"), dir.resolve("node.yaml"));
        Path tokens = Files.writeString(dir.resolve("tokens"), "test-token-0123456789abcdef\n");
        log = dir.resolve("agent.log");
        agent = TemperProcess.start(log, "agent", "--policies", "../policies", "--pods-file", pods.toString(), "--node-file", node.toString(),
                "--safe-mode-file", safeMode.toString(), "--port", "0", "--bind", "127.0.0.1", "--api-tokens", tokens.toString(),
                "--cgroup-root", dir.resolve("cgroup").toString(), "--cache-dir", dir.resolve("cache").toString());
        // The port is ephemeral: the agent logs where it listens.
        return TemperProcess.statusPort(agent, log);
    }

    static JsonNode status(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static JsonNode await(int port, Predicate<JsonNode> p, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = status(port);
            if (p.test(last)) return last;
            Thread.sleep(5);
        }
        throw new AssertionError("timed out waiting for " + what + "; last /status: " + last);
    }

    @Test
    void fileModeServesStatusFollowsTheSafeModeFileAndStandsDownOnSigterm() throws Exception {
        Path safe = dir.resolve("safe-mode");
        int port = start(safe);
        JsonNode st = await(port, s -> ENGAGED.contains(s.get("mode").asString()) && s.get("ready").asBoolean(), "attach");
        assertThat(st.get("node").asString()).isEqualTo("node-a");
        assertThat(st.get("policyRevision").asString()).startsWith("dir@sha256:");
        assertThat(st.get("scheduler").get("driver").asString()).isEqualTo("dry-run");
        assertThat(st.get("tiers")).hasSize(5);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        long t0 = System.nanoTime();
        Files.createFile(safe);
        await(port, s -> s.get("mode").asString().equals("safe-mode"), "safe-mode");
        // A figure for the log, not a pass criterion (docs/BENCHMARKS.md has the benchmark).
        System.out.printf("safe-mode file -> /status safe-mode: %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        st = status(port);
        assertThat(st.get("scheduler").get("phase").asString()).isEqualTo("DETACHED");
        assertThat(st.get("reasons").toString()).contains(safe.toString());

        Files.delete(safe);
        await(port, s -> ENGAGED.contains(s.get("mode").asString() + "/" + s.get("scheduler").get("phase").asString()), "re-engaged");

        // POST /safe-mode with the token: the API is a trigger too, and it is audited.
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/safe-mode"))
                .header("Authorization", "Bearer test-token-0123456789abcdef").header("Content-Type", "application/json")
                .header(codes.temper.api.Csrf.HEADER, codes.temper.api.Csrf.token(port))
                .POST(HttpRequest.BodyPublishers.ofString("{\"enabled\": true, \"reason\": \"maintenance\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(200);
        st = await(port, s -> s.get("mode").asString().equals("safe-mode"), "safe-mode from the API");
        assertThat(st.get("reasons").toString()).contains("POST /safe-mode", "maintenance");

        // SIGTERM: detach (dry run logs it), exit 0, well within a 30 s grace period.
        agent.destroy();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isIn(0, 143);
        assertThat(Files.readString(log)).contains("status API on 127.0.0.1:" + port);
    }

    /**
     * The API listens while the agent still reads its inputs. Held there deterministically: the
     * kernel BTF it reads last is a FIFO, whose open waits for a writer. Meanwhile it answers
     * "agent starting", and a safe-mode request waits for the loop and is its first decision.
     */
    @Test
    void aSafeModeRequestMadeWhileTheAgentStartsIsItsFirstDecision() throws Exception {
        Path pods = Files.copy(Path.of("../policies/examples/pods.yaml"), dir.resolve("pods.yaml"));
        Path node = Files.copy(Path.of("../policies/examples/node.yaml"), dir.resolve("node.yaml"));
        Path tokens = Files.writeString(dir.resolve("tokens"), "test-token-0123456789abcdef\n");
        Path btf = dir.resolve("btf");
        assertThat(new ProcessBuilder("mkfifo", btf.toString()).start().waitFor()).isZero();
        log = dir.resolve("agent.log");
        agent = TemperProcess.start(log, "agent", "--policies", "../policies", "--pods-file", pods.toString(), "--node-file", node.toString(),
                "--port", "0", "--bind", "127.0.0.1", "--api-tokens", tokens.toString(), "--driver", "dry-run",
                "--kernel-btf", btf.toString(), "--cgroup-root", dir.resolve("cgroup").toString(), "--cache-dir", dir.resolve("cache").toString());
        int port = TemperProcess.listeningPort(agent, log);

        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("agent starting: no status yet");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        var post = HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/safe-mode"))
                .header("Authorization", "Bearer test-token-0123456789abcdef").header("Content-Type", "application/json")
                .header(codes.temper.api.Csrf.HEADER, codes.temper.api.Csrf.token(port))
                .POST(HttpRequest.BodyPublishers.ofString("{\"enabled\": true, \"reason\": \"early\"}")).build(), HttpResponse.BodyHandlers.ofString());
        // Still held at the FIFO: the request waits for the loop.
        Thread.sleep(300);
        assertThat(post.isDone()).isFalse();
        assertThat(Files.readString(log)).doesNotContain("started: node");

        Files.write(btf, new byte[0]); // a writer comes and goes: the agent reads an empty BTF and goes on
        assertThat(post.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        JsonNode st = await(port, s -> s.get("ready").asBoolean() || s.get("mode").asString().equals("safe-mode"), "the first pass");
        assertThat(st.get("mode").asString()).isEqualTo("safe-mode");
        assertThat(st.get("reasons").toString()).contains("POST /safe-mode", "early");
        String text = Files.readString(log);
        assertThat(text).contains("safe mode ON").doesNotContain("mode pending -> dry-run");
    }
}
