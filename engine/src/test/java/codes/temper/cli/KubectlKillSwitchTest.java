package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.deploy.ConfigMapVolume;
import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeStatusWriter;
import codes.temper.kube.Snapshots;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Mode;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, must-show 3: the kill switch exactly as users type it, by a real kubectl (Debian
 * sid's, fetched by scripts/fetch-kubectl.sh), against the fabric8 mock API server in CRUD mode
 * with five agents in cluster mode (informers, merge patches, the dry-run driver): all stand down
 * and report safe-mode on their Node, then all re-engage, and {@code temper status -o json}
 * (must-show 4) lists every node in each state. The agents run the chart's bundled policy from a
 * ConfigMap-style mount (must-show 2: ready with no Git).
 *
 * <p>The mock server does not serve API discovery, which kubectl needs before it can resolve
 * "node"; {@link Discovery} answers /api, /apis and /api/v1 with the documents kube-apiserver
 * serves (core group only) and passes everything else to the CRUD dispatcher.
 *
 * <p>The time from starting the command to the last agent's stand-down is printed (BENCH line),
 * never asserted: it includes kubectl's own start-up.
 */
class KubectlKillSwitchTest {
    static final int AGENTS = 5;
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Duration WAIT = Duration.ofSeconds(60);
    static final List<String> STAND_DOWN = List.of("annotate", "node", "--all", "temper.codes/safe-mode-requested=true");
    static final List<String> RE_ENGAGE = List.of("annotate", "node", "--all", "temper.codes/safe-mode-requested-");

    @TempDir
    Path dir;

    /** Serves API discovery for the core group; records every request kubectl makes. */
    static final class Discovery extends Dispatcher {
        final Dispatcher crud;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<String> kubectlPatches = new CopyOnWriteArrayList<>();
        volatile int port;

        Discovery(Dispatcher crud) {
            this.crud = crud;
        }

        static MockResponse json(String body) {
            return new MockResponse().setResponseCode(200).addHeader("Content-Type", "application/json").setBody(body);
        }

        @Override
        public MockResponse dispatch(RecordedRequest r) {
            requests.add(r.getMethod() + " " + r.getPath());
            if (r.getPath().contains("fieldManager=kubectl-annotate")) {
                // Reading the body consumes it: record it and hand the dispatcher a fresh copy.
                byte[] body = r.getBody().readByteArray();
                kubectlPatches.add(new String(body, StandardCharsets.UTF_8));
                r = new RecordedRequest(r.getHttpVersion(), r.method(), r.getPath(), r.getHeaders(), new Buffer(body));
            }
            String path = r.getPath().replaceFirst("\\?.*", "");
            // Plain application/json: kubectl asks for aggregated discovery first and falls back
            // to these legacy documents when the server answers with them.
            return switch (path) {
                case "/api" -> json("{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":"
                        + "[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1:" + port + "\"}]}");
                case "/apis" -> json("{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}");
                case "/api/v1" -> json("{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
                        + "{\"name\":\"nodes\",\"singularName\":\"node\",\"namespaced\":false,\"kind\":\"Node\","
                        + "\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"patch\",\"update\",\"watch\"],\"shortNames\":[\"no\"]},"
                        + "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
                        + "\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"patch\",\"update\",\"watch\"],\"shortNames\":[\"po\"]}]}");
                default -> crud.dispatch(r);
            };
        }

        @Override
        public void shutdown() {
            crud.shutdown();
        }
    }

    /** The kubectl binary, fetched (and cached) by scripts/fetch-kubectl.sh; skips only when it cannot be had. */
    static Path kubectl() throws Exception {
        Process p = new ProcessBuilder("bash", REPO.resolve("scripts/fetch-kubectl.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        Assumptions.assumeTrue(done && p.exitValue() == 0,
                "kubectl cannot be downloaded here (scripts/fetch-kubectl.sh failed: no route to the Debian mirror?); "
                        + "the kill switch was not run with a real kubectl");
        Path bin = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
        assertThat(bin).isExecutable();
        return bin;
    }

    /** {@code temper status -o json} against the test API server: its nodes. */
    static List<tools.jackson.databind.JsonNode> fleet(Path kubeconfig) {
        CliRun r = CliRun.of("status", "--kubeconfig", kubeconfig.toString(), "-o", "json");
        assertThat(r.code()).as(r.err()).isZero();
        List<tools.jackson.databind.JsonNode> nodes = new ArrayList<>();
        tools.jackson.databind.json.JsonMapper.builder().build().readTree(r.out()).get("nodes").forEach(nodes::add);
        return nodes;
    }

    record Run(int exit, String out, long startNanos, long exitedNanos) {
    }

    Run run(Path kubectl, Path kubeconfig, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(kubectl.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // KUBECONFIG rather than a flag, so the command line is exactly the documented one; HOME
        // for kubectl's discovery cache.
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", dir.toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("kubectl finished").isTrue();
        return new Run(p.exitValue(), out, t0, System.nanoTime());
    }

    /** Nanos from start until every agent satisfies p (each checked every 0.2 ms), or a failure. */
    static long awaitAll(List<Agent> agents, Predicate<Agent> p, long start, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!agents.stream().allMatch(p)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + ": " + agents.stream().map(a -> a.nodeName() + "="
                        + a.status().agentStatus()).toList());
            }
            LockSupport.parkNanos(200_000);
        }
        return System.nanoTime() - start;
    }

    @Test
    void kubectlAnnotateAllStandsEveryAgentDownAndRemovingItReEngagesThem() throws Exception {
        Path kubectl = kubectl();
        Discovery discovery = new Discovery(new KubernetesCrudDispatcher());
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), discovery, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        discovery.port = server.getPort();
        List<Agent> agents = new ArrayList<>();
        try (KubernetesClient client = server.createClient(b -> b.editOrNewConfig().withRequestRetryBackoffLimit(3)
                .withRequestRetryBackoffInterval(100).withWatchReconnectInterval(200).endConfig())) {
            Path kubeconfig = Kubeconfig.write(dir.resolve("kubeconfig"), "http://127.0.0.1:" + server.getPort());
            // The chart's bundled policy, mounted as the kubelet mounts a ConfigMap.
            Path policies = ConfigMapVolume.create(dir.resolve("etc-temper-policies"), ConfigMapVolume.bundledPolicy()).dir();
            Path cgroups = Files.createDirectories(dir.resolve("cgroup"));
            Node template = Snapshots.readNode(REPO.resolve("policies/examples/node.yaml"));
            for (int i = 0; i < AGENTS; i++) {
                client.resource(new NodeBuilder(template).editMetadata().withName("node-" + i).withUid(null).withResourceVersion(null)
                        .endMetadata().build()).create();
            }
            for (int i = 0; i < AGENTS; i++) {
                agents.add(new Agent(new Agent.Options("node-" + i, client, null, null, policies.toString(), null, null, null,
                        Duration.ofSeconds(5), Duration.ofMinutes(1), null, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN, null,
                        cgroups, CgroupDriver.SYSTEMD, Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(), null, null)).start());
            }
            awaitAll(agents, a -> a.status().ready() && a.supervisor().driver().attached(), System.nanoTime(), "all ready and attached");
            assertThat(agents).allSatisfy(a -> assertThat(a.status().policyRevision()).startsWith("dir@sha256:"));

            Run down = run(kubectl, kubeconfig, STAND_DOWN);
            assertThat(down.exit()).as(down.out()).isZero();
            long standDown = awaitAll(agents, a -> !a.supervisor().driver().attached(), down.startNanos(), "all stood down");
            assertThat(down.out().lines().filter(l -> l.matches("node/node-\\d annotated"))).as(down.out()).hasSize(AGENTS);
            awaitAll(agents, a -> a.status().mode() == Mode.SAFE_MODE, down.startNanos(), "all report safe-mode");
            Await.until("every Node annotated safe-mode", WAIT, () -> client.nodes().list().getItems().stream().allMatch(n ->
                    "safe-mode".equals(n.getMetadata().getAnnotations().get(NodeStatusWriter.STATUS_ANNOTATION))));
            assertThat(client.nodes().list().getItems()).allSatisfy(n ->
                    assertThat(n.getMetadata().getAnnotations()).containsEntry("temper.codes/safe-mode-requested", "true"));
            // What an operator checks next: temper status through the same kubeconfig lists every node stood down.
            assertThat(fleet(kubeconfig)).hasSize(AGENTS).allSatisfy(n -> {
                assertThat(n.get("mode").asString()).isEqualTo("safe-mode");
                assertThat(n.get("safeModeRequested").asString()).isEqualTo("true");
                assertThat(n.get("policyRevision").asString()).startsWith("dir@sha256:");
            });

            Run up = run(kubectl, kubeconfig, RE_ENGAGE);
            assertThat(up.exit()).as(up.out()).isZero();
            long reEngage = awaitAll(agents, a -> a.supervisor().driver().attached(), up.startNanos(), "all re-attached");
            assertThat(up.out().lines().filter(l -> l.matches("node/node-\\d annotated"))).as(up.out()).hasSize(AGENTS);
            Await.until("every Node annotated attached", WAIT, () -> client.nodes().list().getItems().stream().allMatch(n ->
                    "dry-run:--driver dry-run was requested".equals(n.getMetadata().getAnnotations().get(NodeStatusWriter.STATUS_ANNOTATION))));
            // kubectl sent JSON merge patches, the second removing the key with null. (kube-apiserver
            // then deletes the key; the mock keeps it with a null value, which reads back as absent.)
            assertThat(discovery.kubectlPatches).hasSize(2 * AGENTS);
            assertThat(discovery.kubectlPatches.subList(0, AGENTS)).allSatisfy(b ->
                    assertThat(b).isEqualTo("{\"metadata\":{\"annotations\":{\"temper.codes/safe-mode-requested\":\"true\"}}}"));
            assertThat(discovery.kubectlPatches.subList(AGENTS, 2 * AGENTS)).allSatisfy(b ->
                    assertThat(b).isEqualTo("{\"metadata\":{\"annotations\":{\"temper.codes/safe-mode-requested\":null}}}"));
            assertThat(client.nodes().list().getItems()).allSatisfy(n ->
                    assertThat(n.getMetadata().getAnnotations().get("temper.codes/safe-mode-requested")).isNull());
            assertThat(agents).allSatisfy(a -> assertThat(a.status().agentStatus()).isEqualTo("dry-run:--driver dry-run was requested"));
            assertThat(fleet(kubeconfig)).hasSize(AGENTS).allSatisfy(n -> {
                assertThat(n.get("mode").asString()).isEqualTo("dry-run");
                assertThat(n.get("safeModeRequested").isNull()).isTrue();
            });
            // kubectl used what the mock served: discovery, then a list of all nodes for --all.
            assertThat(discovery.requests).anyMatch(r -> r.matches("GET /api/v1(\\?.*)?"))
                    .anyMatch(r -> r.equals("GET /api/v1/nodes") || r.startsWith("GET /api/v1/nodes?limit="));

            System.out.printf("BENCH kubectl kill switch, %d agents: '%s' to the last agent stood down: %.0f ms (kubectl itself exited after %.0f ms); "
                            + "'%s' to the last re-attached: %.0f ms (kubectl exited after %.0f ms); times from the kubectl process start%n",
                    AGENTS, "kubectl " + String.join(" ", STAND_DOWN), standDown / 1e6, (down.exitedNanos() - down.startNanos()) / 1e6,
                    "kubectl " + String.join(" ", RE_ENGAGE), reEngage / 1e6, (up.exitedNanos() - up.startNanos()) / 1e6);
        } finally {
            agents.forEach(Agent::close);
            server.destroy();
        }
    }
}
