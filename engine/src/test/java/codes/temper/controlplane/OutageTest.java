package codes.temper.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.crd.TemperPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 24, must-show 4: the real API server killed and started again (etcd kept), then etcd
 * stopped for 30 s, while the {@value AgentFleet#SIZE} agents run. They keep their mode and
 * policy, say in their status that their view may be stale while they cannot watch, take a
 * safe-mode file set during the outage at once, and resume their watches afterwards without a
 * relist storm: the API server's audit log counts their list calls. And a TemperPolicy with an
 * invalid field is refused by the CRD's schema, server-side, naming the field.
 */
@Tag(ControlPlane.TAG)
@Order(4)
class OutageTest {
    static final String STALE = "view may be stale";

    record Before(Map<String, String> mode, Map<String, String> revision) {
    }

    static Before snapshot(AgentFleet fleet) throws Exception {
        Map<String, String> mode = new HashMap<>(), revision = new HashMap<>();
        for (AgentFleet.Agent a : fleet.agents) {
            JsonNode s = fleet.status(a);
            mode.put(a.node(), s.get("mode").asString());
            revision.put(a.node(), s.get("policyRevision").asString());
        }
        return new Before(mode, revision);
    }

    static boolean reportsStale(AgentFleet fleet, AgentFleet.Agent a) throws Exception {
        return fleet.status(a).get("reasons").valueStream().anyMatch(r -> r.asString().startsWith(STALE));
    }

    static String reasons(AgentFleet fleet, AgentFleet.Agent a) {
        try {
            return fleet.status(a).get("reasons").toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** The list calls of these nodes' agents (verb list, their tokens) the API server audited at or after {@code from}. */
    static long listCalls(ControlPlane cp, Instant from, List<String> nodes) throws Exception {
        return cp.audit().stream().filter(e -> AgentFleetTest.AGENT_USER.equals(e.path("user").path("username").asString()))
                .filter(e -> nodes.contains(AgentFleetTest.claimedNode(e)))
                .filter(e -> "list".equals(e.path("verb").asString()))
                .filter(e -> !Instant.parse(e.path("requestReceivedTimestamp").asString()).isBefore(from)).count();
    }

    /** Kills COMPONENT, checks the agents through the outage (a safe-mode file set during it), starts it again after {@code down}. */
    void outage(String component, Duration down) throws Exception {
        ControlPlane cp = ControlPlane.get();
        AgentFleet fleet = AgentFleet.shared();
        AgentFleet.Agent fileAgent = fleet.agents.get(4);
        // One more agent, started while the API server is away (its pod and token made before).
        String lateNode = TestNodes.name(AgentFleet.SIZE);
        KubernetesClient admin = cp.admin();
        AgentFleet.Agent late = null;
        if (component.equals("apiserver")) {
            TestNodes.ensure(admin, AgentFleet.SIZE + 1);
            Wait.until("a DaemonSet pod for " + lateNode, Duration.ofMinutes(2), () -> AgentFleet.podsByNode(admin).containsKey(lateNode));
            late = AgentFleet.prepare(admin, lateNode, AgentFleet.podsByNode(admin).get(lateNode), fleet.root);
        }
        for (AgentFleet.Agent a : fleet.agents) {
            Wait.until(a.node() + " watching, in dry run", Duration.ofMinutes(2),
                    () -> !reportsStale(fleet, a) && "dry-run".equals(fleet.status(a).get("mode").asString()));
        }
        Before before = snapshot(fleet);
        Instant killed = Instant.now();
        cp.kill(component);
        Instant started;
        try {
            if (component.equals("apiserver")) {
                // Without the API server every agent loses its watches and says its view may be stale.
                for (AgentFleet.Agent a : fleet.agents) {
                    Wait.until(a.node() + " reporting the outage", Duration.ofMinutes(1), () -> reportsStale(fleet, a),
                            () -> reasons(fleet, a));
                }
            }
            if (late != null) late = fleet.launch(cp, late);
            // The node-local kill switch works while the API server is away, at once.
            Files.writeString(fileAgent.safeModeFile(), "");
            Wait.until(fileAgent.node() + " in safe mode by file", Duration.ofSeconds(30),
                    () -> "safe-mode".equals(fleet.status(fileAgent).get("mode").asString()));
            // Every other agent keeps its mode and its policy.

            for (AgentFleet.Agent a : fleet.agents) {
                if (a == fileAgent) continue;
                JsonNode s = fleet.status(a);
                assertThat(s.get("mode").asString()).as(a.node()).isEqualTo(before.mode().get(a.node()));
                assertThat(s.get("policyRevision").asString()).as(a.node()).isEqualTo(before.revision().get(a.node()));
            }
            long left = down.minus(Duration.between(killed, Instant.now())).toMillis();
            if (left > 0) Thread.sleep(left);
        } finally {
            started = Instant.now();
            cp.start(component);
        }
        Instant ready = Instant.now();
        for (AgentFleet.Agent a : fleet.agents) {
            Wait.until(a.node() + " watching again", Duration.ofMinutes(2), () -> !reportsStale(fleet, a),
                    () -> reasons(fleet, a));
        }
        if (late != null) {
            // Its first list failed (connection refused): it must keep trying, and come up now.
            AgentFleet.Agent l = AgentFleet.listening(late);
            try {
                Wait.until(lateNode + ", started during the outage, in dry run", Duration.ofMinutes(2),
                        () -> "dry-run".equals(fleet.status(l).get("mode").asString()), () -> reasons(fleet, l));
            } finally {
                l.process().destroy();
                l.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
                admin.nodes().withName(lateNode).delete();
            }
        }
        Files.delete(fileAgent.safeModeFile());
        Wait.until(fileAgent.node() + " re-engaged", Duration.ofMinutes(1),
                () -> "dry-run".equals(fleet.status(fileAgent).get("mode").asString()));
        Before after = snapshot(fleet);
        assertThat(after).isEqualTo(before);
        // Give the informers time to do whatever they would do after the outage, then count.
        Thread.sleep(5_000);
        long lists = listCalls(cp, started, names(fleet.agents));
        System.out.printf("BENCH %s down %d s with %d agents: %d list calls by the agents after it came back (%.1f per agent; each agent"
                        + " has 2 informers); %s ready %d ms after its start%n", component, Duration.between(killed, started).toSeconds(),
                fleet.agents.size(), lists, lists / (double) fleet.agents.size(), component, Duration.between(started, ready).toMillis());
        // No relist storm: at most one relist per informer (node, pods) per agent.
        assertThat(lists).isLessThanOrEqualTo(2L * fleet.agents.size());
    }

    @Test
    void apiServerKilledAndRestarted() throws Exception {
        outage("apiserver", Duration.ofSeconds(10));
    }

    @Test
    void etcdStoppedFor30Seconds() throws Exception {
        outage("etcd", Duration.ofSeconds(30));
    }

    @Test
    void aTemperPolicyWithAnInvalidFieldIsRefusedByTheCrdSchemaNamingTheField() throws Exception {
        ControlPlane cp = ControlPlane.get();
        TemperRelease.ensureInstalled(cp);
        KubernetesClient admin = cp.admin();
        String[][] cases = {
                {"{\"name\": \"Bad_Name\", \"nodeSelector\": {}, \"safeMode\": false}", "spec.rules[0].name"},
                {"{\"name\": \"r\", \"nodeSelector\": {}, \"safeMode\": \"yes\"}", "spec.rules[0].safeMode"},
                {"{\"name\": \"r\", \"nodeSelector\": {}, \"safeMode\": true}", "reason must be non-empty when safeMode is true"},
                {"{\"name\": \"r\", \"safeMode\": false}", "spec.rules[0].nodeSelector"},
        };
        for (String[] c : cases) {
            GenericKubernetesResource policy = admin.getKubernetesSerialization().unmarshal("{\"apiVersion\": \"temper.codes/v1\", "
                    + "\"kind\": \"TemperPolicy\", \"metadata\": {\"name\": \"invalid\"}, \"spec\": {\"rules\": [" + c[0] + "]}}",
                    GenericKubernetesResource.class);
            try {
                admin.resource(policy).create();
                throw new AssertionError("the API server accepted " + c[0]);
            } catch (KubernetesClientException e) {
                System.out.println("CRD schema: " + e.getStatus().getMessage());
                assertThat(e.getCode()).isEqualTo(422);
                assertThat(e.getStatus().getMessage()).contains(c[1]);
            }
        }
        assertThat(admin.resources(TemperPolicy.class).withName("invalid").get()).isNull();
    }

    static List<String> names(List<AgentFleet.Agent> agents) {
        return agents.stream().map(AgentFleet.Agent::node).toList();
    }
}
