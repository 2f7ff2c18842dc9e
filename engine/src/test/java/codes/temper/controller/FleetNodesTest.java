package codes.temper.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fleet page's node table: filtered server-side, paged by name, counted over every match. */
class FleetNodesTest {

    static List<Node> fleet(int n) {
        List<Node> nodes = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) { // out of order, as a cache hands them out
            nodes.add(new NodeBuilder().withNewMetadata().withName("node-%03d".formatted(i)).addToLabels("pool", i % 2 == 0 ? "even" : "odd")
                    .addToAnnotations("temper.codes/agent-status", i % 3 == 0 ? "safe-mode" : "attached")
                    .addToAnnotations("temper.codes/policy-revision", "main@sha1:" + "a".repeat(40))
                    .addToAnnotations("temper.codes/tiers", "critical, normal, background (max 2 CPUs)").endMetadata().build());
        }
        return nodes;
    }

    @Test
    void pagesCoverEveryMatchOnceInNameOrder() {
        List<Node> nodes = fleet(25);
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            var p = FleetNodes.page(nodes, "pool=even", after, 5, n -> null);
            assertThat(p.total()).isEqualTo(25);
            assertThat(p.matched()).isEqualTo(13);
            assertThat(p.modes()).isEqualTo(Map.of("safe-mode", 5, "attached", 8));
            p.nodes().forEach(r -> seen.add(r.name()));
            after = p.next();
            pages++;
        } while (after != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(13).isSorted().doesNotHaveDuplicates().allSatisfy(n -> assertThat(Integer.parseInt(n.substring(5)) % 2).isZero());
    }

    @Test
    void aRowCarriesWhatThePageShows() {
        Instant t = Instant.parse("2026-11-30T10:00:00Z");
        var row = FleetNodes.page(fleet(3), "", null, 10, n -> n.equals("node-000") ? t : null).nodes().getFirst();
        assertThat(row).isEqualTo(new FleetNodes.Row("node-000", "safe-mode", "safe-mode", "main@sha1:" + "a".repeat(40),
                "critical, normal, background (max 2 CPUs)", null, null, null, t,
                Map.of("pool", "even")));
    }

    @Test
    void badQueriesAreRefused() {
        assertThatThrownBy(() -> FleetNodes.page(fleet(1), "pool in (", null, 10, n -> null)).hasMessageContaining("unbalanced");
        assertThatThrownBy(() -> FleetNodes.page(fleet(1), "", null, 0, n -> null)).hasMessageContaining("limit must be from 1 to 1000");
        assertThatThrownBy(() -> FleetNodes.page(fleet(1), "", null, 1001, n -> null)).hasMessageContaining("limit");
    }
}
