package codes.temper.controller;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.controller.FleetToggle.Create;
import codes.temper.controller.FleetToggle.Delete;
import codes.temper.controller.FleetToggle.Refused;
import codes.temper.controller.FleetToggle.Replace;
import codes.temper.controller.FleetToggle.Request;
import codes.temper.controller.FleetToggle.Scope;
import codes.temper.kube.crd.SafeModeRule;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.kube.crd.TemperPolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fleet toggle's decision as a pure function: request, the policy named for it, how many nodes it selects. */
class FleetToggleTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    static Request on(Scope scope, String node, String selector) {
        return new Request(scope, node, selector, true, " kernel bug 42 ");
    }

    static Request off(Scope scope, String node, String selector) {
        return new Request(scope, node, selector, false, "fixed");
    }

    @Test
    void turningOnCreatesAPolicyTheReconcileKnows() {
        var d = (Create) FleetToggle.decide(on(Scope.NODE, "node-a", null), "alice", NOW, null, 1);
        TemperPolicy p = d.policy();
        assertThat(p.getMetadata().getName()).startsWith("temper-fleet-node-").hasSize("temper-fleet-node-".length() + 12);
        assertThat(p.getMetadata().getLabels()).containsEntry(FleetToggle.LABEL, "true");
        assertThat(p.getMetadata().getAnnotations()).containsEntry(FleetToggle.TARGET, "node node-a")
                .containsEntry(FleetToggle.REQUESTED_BY, "alice").containsEntry(FleetToggle.REQUESTED_AT, "2026-11-30T12:00:00Z");
        SafeModeRule rule = p.getSpec().getRules().getFirst();
        assertThat(rule.safeMode()).isTrue();
        assertThat(rule.nodeName()).isEqualTo("node-a");
        assertThat(rule.reason()).isEqualTo("kernel bug 42 (fleet page, alice)");

        // The one reconcile reads it like any policy: it selects node-a and no other node.
        PolicyRules compiled = PolicyRules.of(p);
        assertThat(compiled.problems()).isEmpty();
        assertThat(compiled.rules().getFirst().selects("node-a", Map.of())).isTrue();
        assertThat(compiled.rules().getFirst().selects("node-b", Map.of())).isFalse();
        var plan = new SafeModePlanner(java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC)).plan(List.of(p), List.of(
                new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().build(),
                new NodeBuilder().withNewMetadata().withName("node-b").endMetadata().build()));
        assertThat(plan.nodePatches()).singleElement().satisfies(np -> {
            assertThat(np.node()).isEqualTo("node-a");
            assertThat(np.annotations()).containsEntry(SafeModeAnnotations.REQUESTED_BY, "controller/" + p.getMetadata().getName() + "/fleet-toggle");
        });
    }

    @Test
    void aSelectorAndAllNodesHaveTheirOwnPolicies() {
        var sel = (Create) FleetToggle.decide(on(Scope.SELECTOR, null, "pool = gpu , zone in (a,b)"), "bob", NOW, null, 3);
        assertThat(sel.policy().getMetadata().getAnnotations()).containsEntry(FleetToggle.SELECTOR, "pool = gpu,zone in (a,b)");
        var compiled = PolicyRules.of(sel.policy()).rules().getFirst();
        assertThat(compiled.selects("x", Map.of("pool", "gpu", "zone", "a"))).isTrue();
        assertThat(compiled.selects("x", Map.of("pool", "gpu", "zone", "c"))).isFalse();
        var all = (Create) FleetToggle.decide(on(Scope.ALL, null, null), "bob", NOW, null, 5000);
        assertThat(all.policy().getMetadata().getName()).isEqualTo("temper-fleet-all");
        assertThat(PolicyRules.of(all.policy()).rules().getFirst().selects("any", Map.of("a", "b"))).isTrue();
        // the same target always names the same policy; different targets never share one
        assertThat(FleetToggle.policyName(on(Scope.NODE, "node-a", null))).isEqualTo(FleetToggle.policyName(off(Scope.NODE, "node-a", null)))
                .isNotEqualTo(FleetToggle.policyName(on(Scope.NODE, "node-b", null)));
    }

    @Test
    void turningOnAgainRenewsTheReasonConditionally() {
        var first = ((Create) FleetToggle.decide(on(Scope.ALL, null, null), "alice", NOW, null, 2)).policy();
        first.getMetadata().setResourceVersion("17");
        var again = (Replace) FleetToggle.decide(new Request(Scope.ALL, null, null, true, "still broken"), "bob", NOW, first, 2);
        assertThat(again.policy().getMetadata().getResourceVersion()).isEqualTo("17");
        assertThat(again.policy().getSpec().getRules().getFirst().reason()).isEqualTo("still broken (fleet page, bob)");
    }

    @Test
    void turningOffDeletesOnlyTheFleetPagesOwnPolicy() {
        var mine = ((Create) FleetToggle.decide(on(Scope.NODE, "node-a", null), "alice", NOW, null, 1)).policy();
        assertThat(FleetToggle.decide(off(Scope.NODE, "node-a", null), "bob", NOW, mine, 0)).isInstanceOf(Delete.class);
        // An operator's TemperPolicy that happens to have the name: never deleted or overwritten from the page.
        var operators = new TemperPolicy(mine.getMetadata().getName(), new TemperPolicySpec(List.of(
                new SafeModeRule("r", new LabelSelector(), true, "mine"))));
        assertThat(FleetToggle.decide(off(Scope.NODE, "node-a", null), "bob", NOW, operators, 1))
                .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.status()).isEqualTo(409));
        assertThat(FleetToggle.decide(on(Scope.NODE, "node-a", null), "bob", NOW, operators, 1)).isInstanceOf(Refused.class);
        // nothing to turn off
        assertThat(FleetToggle.decide(off(Scope.ALL, null, null), "bob", NOW, null, 10))
                .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.why()).contains("no fleet toggle is on for all nodes"));
    }

    @Test
    void badInputIsRefusedSayingWhat() {
        assertThat(refusal(new Request(Scope.ALL, null, null, true, "  "), 1)).contains("a reason is required");
        assertThat(refusal(new Request(Scope.ALL, null, null, true, "x".repeat(501)), 1)).contains("longer than 500");
        assertThat(refusal(on(Scope.NODE, "", null), 1)).contains("a node name is required");
        assertThat(refusal(on(Scope.NODE, "<b>Node</b>", null), 1)).contains("not a node name");
        assertThat(refusal(on(Scope.NODE, "node-z", null), 0)).contains("no node named node-z");
        assertThat(refusal(on(Scope.SELECTOR, null, ""), 1)).contains("a label selector is required");
        assertThat(refusal(on(Scope.SELECTOR, null, "pool in (a"), 1)).contains("unbalanced parentheses");
        assertThat(refusal(on(Scope.SELECTOR, null, "pool=gpu"), 0)).contains("selects no node now");
        assertThat(((Refused) FleetToggle.decide(on(Scope.NODE, "node-z", null), "a", NOW, null, 0)).status()).isEqualTo(404);
    }

    static String refusal(Request r, int selected) {
        var d = FleetToggle.decide(r, "alice", NOW, null, selected);
        assertThat(d).isInstanceOf(Refused.class);
        return ((Refused) d).why();
    }
}
