package codes.temper.kube;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.reconcile.AgentStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code temper.codes/tiers} annotation's text: what the fleet page shows for a node. */
class NodeStatusWriterTiersTest {

    @Test
    void tiersAreListedByRankWithTheirCeilings() {
        var tiers = List.of(
                new AgentStatus.Tier("background", 4, 1.9775, "policy", 5),
                new AgentStatus.Tier("critical", 0, null, null, 3),
                new AgentStatus.Tier("normal", 2, 8.0, "node", 21));
        assertThat(NodeStatusWriter.tiers(tiers)).isEqualTo("critical, normal (max 8 CPUs), background (max 1.9775 CPUs)");
    }

    @Test
    void noTiersInForceRemovesTheAnnotation() {
        assertThat(NodeStatusWriter.tiers(List.of())).isNull();
        assertThat(NodeStatusWriter.tiers(null)).isNull();
    }

    @Test
    void aLongListIsCutToTheAnnotationBound() {
        var many = java.util.stream.IntStream.range(0, 40)
                .mapToObj(i -> new AgentStatus.Tier("tier-with-a-long-name-" + i, i, null, null, 0)).toList();
        assertThat(NodeStatusWriter.tiers(many)).hasSize(NodeStatusWriter.MAX_VALUE).endsWith("...");
    }
}
