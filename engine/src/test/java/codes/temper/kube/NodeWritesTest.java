package codes.temper.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node patch and event both the agent and the controller send. */
class NodeWritesTest {

    @Test
    void aMergePatchCarriesOnlyItsKeysANullRemovesAndAVersionMakesItConditional() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("temper.codes/agent-status", "attached");
        a.put("temper.codes/policy-revision", null);
        assertThat(NodeWrites.annotationPatch(null, a))
                .isEqualTo("{\"metadata\":{\"annotations\":{\"temper.codes/agent-status\":\"attached\",\"temper.codes/policy-revision\":null}}}");
        assertThat(NodeWrites.annotationPatch("42", Map.of("k", "v")))
                .isEqualTo("{\"metadata\":{\"resourceVersion\":\"42\",\"annotations\":{\"k\":\"v\"}}}");
    }

    @Test
    void anEventNamesTheNodeAndItsReporterAndIsCutToWhatTheApiServerTakes() {
        var by = new NodeWrites.Reporter("temper", "temper-agent", "temper.codes/agent", "node-a", "node-a");
        var e = NodeWrites.event(by, "node-a", "Warning", "TemperModeChanged", "x".repeat(1500));
        assertThat(e.getMetadata().getGenerateName()).isEqualTo("node-a.temper.");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("node-a");
        assertThat(e.getSource().getHost()).isEqualTo("node-a");
        assertThat(e.getReportingComponent()).isEqualTo("temper.codes/agent");
        assertThat(e.getMessage()).hasSize(NodeWrites.MAX_MESSAGE).endsWith("...");
    }
}
