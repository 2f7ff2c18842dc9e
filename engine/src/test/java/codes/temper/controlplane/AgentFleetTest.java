package codes.temper.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.cli.CliRun;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 24, must-show 2: {@value AgentFleet#SIZE} real agents as they run in production, against
 * the real API server with their own pod-bound tokens: each lists its pods by field selector and
 * writes its annotations on its own Node (the API server's audit log says so, request by request,
 * with the node each token is bound to), {@code temper status} lists them all, and the kill switch
 * typed verbatim stands them all down and re-engages them. The time from kubectl's return to the
 * last agent's change (from the agents' own log lines) is printed as a BENCH line over
 * {@value #ROUNDS} rounds, never asserted.
 */
@Tag(ControlPlane.TAG)
@Order(2)
class AgentFleetTest {
    static final int ROUNDS = 10;
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String AGENT_USER = "system:serviceaccount:temper-system:temper-agent";
    static final String NODE_CLAIM = "authentication.kubernetes.io/node-name";

    @TempDir
    Path home;

    static String claimedNode(JsonNode auditEntry) {
        JsonNode extra = auditEntry.path("user").path("extra").path(NODE_CLAIM);
        return extra.isArray() && !extra.isEmpty() ? extra.get(0).asString() : null;
    }

    @Test
    void eachAgentListsItsOwnPodsAndWritesOnlyItsOwnNodeWithItsPodBoundToken() throws Exception {
        ControlPlane cp = ControlPlane.get();
        KubernetesClient admin = cp.admin();
        AgentFleet fleet = AgentFleet.shared();

        for (AgentFleet.Agent a : fleet.agents) {
            Wait.until(a.node() + "'s annotations", Duration.ofMinutes(1), () -> {
                Map<String, String> ann = admin.nodes().withName(a.node()).get().getMetadata().getAnnotations();
                return ann != null && "dry-run:--driver dry-run was requested".equals(ann.get("temper.codes/agent-status"))
                        && ann.getOrDefault("temper.codes/policy-revision", "").startsWith("dir@sha256:");
            });
        }
        List<JsonNode> audit = cp.audit().stream().filter(e -> AGENT_USER.equals(e.path("user").path("username").asString())).toList();
        for (AgentFleet.Agent a : fleet.agents) {
            List<JsonNode> mine = audit.stream().filter(e -> a.node().equals(claimedNode(e))).toList();
            assertThat(mine).as("requests with %s's token", a.node()).isNotEmpty();
            // Its pods by field selector, list then watch, answered 200 ...
            assertThat(mine).anySatisfy(e -> {
                assertThat(e.get("verb").asString()).isEqualTo("list");
                assertThat(e.get("requestURI").asString()).startsWith("/api/v1/pods?").contains("fieldSelector=spec.nodeName%3D" + a.node());
                assertThat(e.path("responseStatus").path("code").asInt()).isEqualTo(200);
            });
            assertThat(mine).anySatisfy(e -> assertThat(e.get("verb").asString()).isEqualTo("watch"));
            // ... and never anyone's pods, or another node.
            assertThat(mine).filteredOn(e -> e.path("objectRef").path("resource").asString().equals("pods"))
                    .allSatisfy(e -> assertThat(e.get("requestURI").asString()).contains("fieldSelector=spec.nodeName%3D" + a.node()));
            assertThat(mine).filteredOn(e -> e.path("objectRef").path("resource").asString().equals("nodes"))
                    .allSatisfy(e -> assertThat(e.path("objectRef").path("name").asString()).isEqualTo(a.node()));
            assertThat(mine).anySatisfy(e -> {
                assertThat(e.get("verb").asString()).isEqualTo("patch");
                assertThat(e.path("responseStatus").path("code").asInt()).isEqualTo(200);
            });
            assertThat(mine).as("no request refused").allSatisfy(e -> assertThat(e.path("responseStatus").path("code").asInt()).isLessThan(400));
        }

        CliRun status = CliRun.of("status", "--kubeconfig", cp.kubeconfig.toString(), "-o", "json");
        assertThat(status.code()).as(status.err()).isZero();
        List<JsonNode> nodes = new ArrayList<>();
        JSON.readTree(status.out()).get("nodes").forEach(nodes::add);
        assertThat(nodes).extracting(n -> n.get("name").asString()).containsAll(TestNodes.names(AgentFleet.SIZE));
        assertThat(nodes).filteredOn(n -> TestNodes.names(AgentFleet.SIZE).contains(n.get("name").asString()))
                .allSatisfy(n -> assertThat(n.get("mode").asString()).isEqualTo("dry-run"));
    }

    /** When the last agent logged a line starting with {@code prefix} at or after {@code from}. */
    static Instant lastLogged(AgentFleet fleet, String prefix, Instant from) throws Exception {
        List<Instant> at = new ArrayList<>();
        Wait.until("every agent to log '" + prefix + "'", Duration.ofMinutes(1), () -> {
            at.clear();
            for (AgentFleet.Agent a : fleet.agents) a.logged(prefix, from).ifPresent(at::add);
            return at.size() == fleet.agents.size();
        }, () -> at.size() + " of " + fleet.agents.size());
        return at.stream().max(Comparator.naturalOrder()).orElseThrow();
    }

    static double percentile(List<Double> values, double p) {
        List<Double> s = values.stream().sorted().toList();
        return s.get((int) Math.min(s.size() - 1, Math.ceil(p * s.size()) - 1));
    }

    @Test
    void theKillSwitchVerbatimStandsEveryAgentDownAndReEngagesThem() throws Exception {
        ControlPlane cp = ControlPlane.get();
        KubernetesClient admin = cp.admin();
        AgentFleet fleet = AgentFleet.shared();
        int nodeCount = admin.nodes().list().getItems().size();
        List<Double> down = new ArrayList<>(), up = new ArrayList<>(), kubectlDown = new ArrayList<>(), kubectlUp = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Instant t0 = Instant.now();
            Kubectl.Run on = Kubectl.run(cp.kubeconfig, home, "annotate", "node", "--all", "temper.codes/safe-mode-requested=true");
            Instant returned = Instant.now();
            assertThat(on.exit()).as(on.out()).isZero();
            assertThat(on.out().lines().filter(l -> l.matches("node/\\S+ annotated"))).hasSize(nodeCount);
            Instant last = lastLogged(fleet, "safe mode ON", t0);
            down.add(Duration.between(returned, last).toNanos() / 1e6);
            kubectlDown.add((on.exitedNanos() - on.startNanos()) / 1e6);
            if (round == 0) {
                for (AgentFleet.Agent a : fleet.agents) {
                    assertThat(fleet.status(a).get("mode").asString()).isEqualTo("safe-mode");
                }
                Wait.until("every Node annotated safe-mode", Duration.ofMinutes(1), () -> fleet.agents.stream().allMatch(a ->
                        "safe-mode".equals(annotation(admin.nodes().withName(a.node()).get(), "temper.codes/agent-status"))));
            }

            Instant t1 = Instant.now();
            Kubectl.Run off = Kubectl.run(cp.kubeconfig, home, "annotate", "node", "--all", "temper.codes/safe-mode-requested-");
            Instant returnedOff = Instant.now();
            assertThat(off.exit()).as(off.out()).isZero();
            Instant lastUp = lastLogged(fleet, "mode safe-mode -> dry-run", t1);
            up.add(Duration.between(returnedOff, lastUp).toNanos() / 1e6);
            kubectlUp.add((off.exitedNanos() - off.startNanos()) / 1e6);
        }
        for (AgentFleet.Agent a : fleet.agents) assertThat(fleet.status(a).get("mode").asString()).isEqualTo("dry-run");
        assertThat(admin.nodes().list().getItems()).allSatisfy(n -> assertThat(annotation(n, "temper.codes/safe-mode-requested")).isNull());

        System.out.printf("BENCH real API server, %d agent processes among %d nodes, %d rounds: kubectl annotate node --all "
                        + "temper.codes/safe-mode-requested=true, kubectl's return to the last agent's 'safe mode ON': p50 %.0f ms, p99 %.0f ms "
                        + "(kubectl itself ran p50 %.0f ms); ...-requested-, to the last agent's 'mode safe-mode -> dry-run': p50 %.0f ms, "
                        + "p99 %.0f ms (kubectl p50 %.0f ms); all: down %s up %s%n", fleet.agents.size(), nodeCount, ROUNDS,
                percentile(down, 0.5), percentile(down, 0.99), percentile(kubectlDown, 0.5), percentile(up, 0.5), percentile(up, 0.99),
                percentile(kubectlUp, 0.5), down.stream().map(d -> "%.0f".formatted(d)).toList(), up.stream().map(d -> "%.0f".formatted(d)).toList());
    }

    static String annotation(Node n, String key) {
        return n.getMetadata().getAnnotations() == null ? null : n.getMetadata().getAnnotations().get(key);
    }
}
