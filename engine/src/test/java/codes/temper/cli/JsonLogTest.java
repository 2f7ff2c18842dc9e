package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.build.BuildInfo;
import codes.temper.kube.MockApiServer;
import codes.temper.kube.crd.SafeModeRule;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.kube.crd.TemperPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 14, must-show 5: with {@code --log-format json} every line the agent and the controller
 * write is one JSON object, one per event, with level, time, logger and message; their own lines
 * and the libraries' (Jetty's, through slf4j) alike. Both run as processes, exactly as an operator
 * starts them, and are read only from their output.
 */
class JsonLogTest {
    static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    Process process;

    @AfterEach
    void kill() {
        if (process != null) process.destroyForcibly();
    }

    Process start(Path log, String... args) throws Exception {
        process = TemperProcess.start(log, args);
        return process;
    }

    /** SIGTERM, as the kubelet stops a pod; the process must end by itself. */
    void stop() throws Exception {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
        assertThat(process.exitValue()).isIn(0, 143);
    }

    /**
     * Every line of the output parsed on its own: one JSON object (nothing before or after it on
     * the line), with a time in ISO-8601 UTC, a level, a logger and a message.
     */
    static List<JsonNode> records(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).as("the output").isNotEmpty();
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines) {
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (RuntimeException e) {
                throw new AssertionError("not one JSON object: " + line + "\n(" + e.getMessage() + ")\nwhole output:\n" + String.join("\n", lines));
            }
            assertThat(n.isObject()).as(line).isTrue();
            assertThat(n.get("time").asString()).as(line).endsWith("Z");
            Instant.parse(n.get("time").asString());
            assertThat(n.get("level").asString()).as(line).isIn(LEVELS);
            assertThat(n.get("logger").asString()).as(line).isNotBlank();
            assertThat(n.get("message").asString()).as(line).isNotBlank();
            out.add(n);
        }
        return out;
    }

    static List<JsonNode> matching(List<JsonNode> records, String logger, Predicate<String> message) {
        return records.stream().filter(r -> r.get("logger").asString().equals(logger) && message.test(r.get("message").asString())).toList();
    }

    static void awaitLog(Path log, String what, Predicate<String> p) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log);
            if (p.test(text)) return;
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what + "; output:\n" + Files.readString(log));
    }

    @Test
    void theAgentLogsOneJsonObjectPerEventFromStartToStandDown() throws Exception {
        Path pods = Files.copy(Path.of("../policies/examples/pods.yaml"), dir.resolve("pods.yaml"));
        Path node = Files.copy(Path.of("../policies/examples/node.yaml"), dir.resolve("node.yaml"));
        Path safe = dir.resolve("safe-mode");
        Path log = dir.resolve("agent.log");
        start(log, "agent", "--policies", "../policies", "--pods-file", pods.toString(), "--node-file", node.toString(),
                "--safe-mode-file", safe.toString(), "--port", "0", "--bind", "127.0.0.1", "--cgroup-root", dir.resolve("cgroup").toString(),
                "--cache-dir", dir.resolve("cache").toString(), "--log-format", "json", "--log-level", "debug", "--log-level", "org.eclipse.jetty=info");
        awaitLog(log, "the start line", t -> t.contains("started: node node-a"));
        int p = TemperProcess.statusPort(process, log);
        AgentProcessTest.await(p, s -> AgentProcessTest.ENGAGED.contains(s.get("mode").asString()), "engaged");
        Files.createFile(safe);
        AgentProcessTest.await(p, s -> s.get("mode").asString().equals("safe-mode"), "safe mode");
        awaitLog(log, "the mode change to safe-mode", t -> t.contains("-> safe-mode"));
        stop();

        List<JsonNode> records = records(log);
        String agent = Agent.class.getName();
        assertThat(matching(records, agent, m -> m.startsWith("temper agent "))).singleElement().satisfies(r -> {
            assertThat(r.get("level").asString()).isEqualTo("info");
            assertThat(r.get("message").asString()).contains("temper agent " + BuildInfo.VERSION + " started: node node-a (file mode: ",
                    "policies ../policies (revision ", "status API 127.0.0.1:" + p);
        });
        String reconciler = "codes.temper.reconcile.Reconciler";
        assertThat(matching(records, reconciler, m -> m.startsWith("mode pending -> "))).as("the first decision").hasSize(1);
        assertThat(matching(records, reconciler, m -> m.matches("mode (dry-run|attach) -> safe-mode: .*" + Pattern.quote(safe.toString()) + ".*")))
                .singleElement().satisfies(r -> assertThat(r.get("level").asString()).isEqualTo("warn"));
        assertThat(matching(records, agent, m -> m.startsWith("stood down: the scheduler was "))).singleElement().satisfies(r ->
                assertThat(r.get("message").asString()).contains("the node runs its stock scheduler (CFS)",
                        "stopped: status API, safe-mode file watch, reconcile loop"));
        // --log-level debug reaches temper's own debug lines; Jetty logs through slf4j into the same lines.
        assertThat(records).anySatisfy(r -> assertThat(r.get("level").asString()).isEqualTo("debug"));
        assertThat(records).anySatisfy(r -> assertThat(r.get("logger").asString()).startsWith("org.eclipse.jetty"));
    }

    @Test
    void theControllerLogsOneJsonObjectPerEvent() throws Exception {
        try (MockApiServer server = new MockApiServer(); KubernetesClient client = server.client()) {
            try (InputStream crd = getClass().getResourceAsStream("/META-INF/fabric8/temperpolicies.temper.codes-v1.yml")) {
                client.resource(client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
            }
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-0").addToLabels("pool", "gpu").endMetadata().build())
                    .create();
            Path kubeconfig = Kubeconfig.write(dir.resolve("kubeconfig"), "http://127.0.0.1:" + server.port());
            Path log = dir.resolve("controller.log");
            start(log, "controller", "--kubeconfig", kubeconfig.toString(), "--debounce", "100ms", "--log-format", "json");
            awaitLog(log, "the controller started", t -> t.contains("controller started"));
            client.resource(new TemperPolicy("freeze", new TemperPolicySpec(List.of(new SafeModeRule("gpu",
                    new LabelSelectorBuilder().addToMatchLabels("pool", "gpu").build(), true, "driver rollout"))))).create();
            Await.until("node-0 annotated", TIMEOUT, () -> {
                var annotations = client.nodes().withName("node-0").get().getMetadata().getAnnotations();
                return annotations != null && "true".equals(annotations.get("temper.codes/safe-mode-requested"));
            });
            awaitLog(log, "the annotation logged", t -> t.contains("patched 1 node(s) (node-0)"));
            stop();

            List<JsonNode> records = records(log);
            String command = ControllerCommand.class.getName();
            assertThat(matching(records, command, m -> m.startsWith("temper controller " + BuildInfo.VERSION + " starting: API server http://127.0.0.1:")))
                    .hasSize(1);
            assertThat(matching(records, "codes.temper.controller.SafeModeController", m -> m.startsWith("controller started: "))).hasSize(1);
            assertThat(matching(records, "codes.temper.controller.SafeModeController", m -> m.startsWith("patched 1 node(s) (node-0)"))).isNotEmpty();
            assertThat(matching(records, command, m -> m.startsWith("temper controller stopped: "))).singleElement()
                    .satisfies(r -> assertThat(r.get("message").asString()).contains("passes=", "nodePatches="));
        }
    }
}
