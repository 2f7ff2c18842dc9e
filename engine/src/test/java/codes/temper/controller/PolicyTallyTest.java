package codes.temper.controller;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.crd.NodeMode;
import codes.temper.kube.crd.SafeModeRule;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.kube.crd.TemperPolicySpec;
import codes.temper.kube.crd.TemperPolicyStatus;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A policy's status is counts plus a bounded list, whatever the fleet's size. */
class PolicyTallyTest {

    static final Map<String, String> NONE = Map.of();

    @Test
    void whyANodeNeedsAttention() {
        var safe = NodeMode.SAFE_MODE_REQUESTED;
        var released = NodeMode.RELEASED;
        assertThat(PolicyTally.why(safe, null, NONE)).isEqualTo("safe mode asked; no temper agent has reported on this node");
        assertThat(PolicyTally.why(safe, "attached", NONE)).isEqualTo("safe mode asked; the agent reports attached");
        assertThat(PolicyTally.why(safe, "safe-mode", NONE)).isNull();
        assertThat(PolicyTally.why(released, "attached", NONE)).isNull();
        assertThat(PolicyTally.why(released, "excluded:cpu.max must be enforced", NONE)).isNull();
        assertThat(PolicyTally.why(released, "dry-run:requested", NONE)).isNull();
        assertThat(PolicyTally.why(released, null, NONE)).as("a node no agent runs on is not this policy's concern").isNull();
        assertThat(PolicyTally.why(released, "degraded:no policy loaded yet", NONE)).isEqualTo("the agent reports degraded");
        assertThat(PolicyTally.why(released, "unsupported:cgroup v1", NONE)).isEqualTo("the agent reports unsupported");
        assertThat(PolicyTally.why(released, "safe-mode", Map.of(SafeModeAnnotations.REQUESTED, "true")))
                .isEqualTo("released by this policy, held in safe mode by an operator's annotation");
        assertThat(PolicyTally.why(released, "safe-mode", NONE))
                .isEqualTo("released by this policy, held in safe mode by a request on the node (the agent's API or file)");
    }

    @Test
    void reportedModeIsTheWordBeforeTheReason() {
        assertThat(PolicyTally.reported("degraded:scheduler failed: x:y")).isEqualTo("degraded");
        assertThat(PolicyTally.reported("attached")).isEqualTo("attached");
        assertThat(PolicyTally.reported(" ")).isEqualTo("none");
        assertThat(PolicyTally.reported(null)).isEqualTo("none");
    }

    @Test
    void fiveThousandNodesKeepTheStatusSmall() throws Exception {
        List<Node> nodes = new ArrayList<>();
        String longReason = "degraded:" + "x".repeat(5_000);
        for (int i = 0; i < 5_000; i++) {
            // Half have stood down, a tenth report a long degraded reason, the rest are still attached.
            String status = i % 2 == 0 ? "safe-mode" : i % 10 == 1 ? longReason : "attached";
            nodes.add(new NodeBuilder().withNewMetadata().withName("node-%05d".formatted(i)).withResourceVersion("1")
                    .addToLabels("pool", "all").addToAnnotations("temper.codes/agent-status", status).endMetadata().build());
        }
        var policy = new TemperPolicy("everything", new TemperPolicySpec(List.of(
                new SafeModeRule("all", new LabelSelector(), true, "fleet-wide stand-down"))));
        policy.getMetadata().setGeneration(1L);

        var plan = new SafeModePlanner(Clock.systemUTC()).plan(List.of(policy), nodes);
        TemperPolicyStatus st = plan.statuses().get("everything");

        assertThat(st.getSelectedNodes()).isEqualTo(5_000);
        assertThat(st.getSafeModeRequested()).isEqualTo(5_000);
        assertThat(st.getAgents()).isEqualTo(Map.of("safe-mode", 2_500, "degraded", 500, "attached", 2_000));
        assertThat(st.getAttentionTotal()).isEqualTo(2_500);
        assertThat(st.getAttention()).hasSize(TemperPolicyStatus.ATTENTION_LIMIT);
        assertThat(st.getAttention().getFirst().node()).as("the first by name").isEqualTo("node-00001");
        assertThat(st.getAttention().getFirst().agentStatus()).hasSize(200);
        int bytes = new KubernetesSerialization().asJson(st).getBytes(StandardCharsets.UTF_8).length;
        assertThat(bytes).as("status JSON bytes at 5,000 nodes").isLessThan(100_000);
        assertThat(plan.nodePatches()).as("every node gets the request").hasSize(5_000);
    }
}
