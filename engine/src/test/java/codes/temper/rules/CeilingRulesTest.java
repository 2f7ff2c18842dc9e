package codes.temper.rules;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.policy.QosClass;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** rules/ceilings.drl: every tier gets exactly one ceiling (share, cores, none, quota, quota fallback). */
class CeilingRulesTest extends RuleFixtures {

    @Override
    String drlFile() {
        return "ceilings.drl";
    }

    static String ceilingTiers(String cpus) {
        return tiers("{name: capped, match: [{priorityAtLeast: 1000}], ceiling: {cpus: %s}}",
                "{name: open, match: [{priorityAtLeast: -1000000}]}",
                "{name: last}").formatted(cpus);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"25%\"|7910|1.9775|25% of 7.91 allocatable CPUs|ceiling-share",
            "\"50%\"|8000|4.0|50% of 8.0 allocatable CPUs|ceiling-share",
            "\"100%\"|3500|3.5|100% of 3.5 allocatable CPUs|ceiling-share",
            "\"6\"|7910|6.0|6 cores|ceiling-cores",
            "1.5|8000|1.5|1.5 cores|ceiling-cores"})
    void shareCeilingIsAFractionOfAllocatableAndCoresAreAbsolute(String cpus, long allocatableMillis, double ceiling, String note,
            String rule) {
        Run r = run(policy(ceilingTiers(cpus)), node(Map.of(), null, KERNEL, 6012, allocatableMillis));
        assertThat(r.tier("capped").ceiling()).isEqualTo(new TierCeiling("capped", ceiling, "policy", note));
        assertThat(r.fired()).contains(rule);
    }


    @Test
    void tierWithoutCeilingGetsAllAllocatable() {
        Run r = run(policy(ceilingTiers("\"2\"")), node(Map.of(), null, KERNEL, 6012, 7910));
        TierCeiling none = new TierCeiling("open", 7.91, "node", "no ceiling in the policy: all allocatable CPU");
        assertThat(r.tier("open").ceiling()).isEqualTo(none);
        assertThat(r.tier("last").ceiling().cpus()).isEqualTo(7.91);
        assertThat(r.fired()).contains("ceiling-none");
    }

    @Test
    void quotaCeilingIsTheSumOfTheMembersLimits() {
        Run r = run(policy(ceilingTiers("quota")), node(),
                limit(pod("a", QosClass.Burstable, 5000, "vip"), 500),
                limit(pod("b", QosClass.Guaranteed, 2000, "vip"), 1500),
                limit(pod("other-tier", QosClass.Guaranteed, 0, null), 4000),
                limit(phase(pod("finished", QosClass.Burstable, 5000, "vip"), "Succeeded"), 3000),
                limit(onNode(pod("elsewhere", QosClass.Burstable, 5000, "vip"), "node-b"), 3000),
                onNode(pod("elsewhere-unbounded", QosClass.Burstable, 5000, "vip"), "node-b"));
        assertThat(r.tier("capped").pods()).isEqualTo(2);
        assertThat(r.tier("capped").ceiling()).isEqualTo(new TierCeiling("capped", 2.0, "quota", "sum of the CPU limits of 2 member pod(s)"));
        assertThat(r.fired()).contains("ceiling-quota").doesNotContain("ceiling-quota-fallback");
    }

    @Test
    void quotaCeilingFallsBackToAllocatableWhenAMemberHasNoLimit() {
        Run r = run(policy(ceilingTiers("quota")), node(Map.of(), null, KERNEL, 6012, 7910),
                limit(pod("a", QosClass.Burstable, 5000, "vip"), 500),
                pod("unbounded", QosClass.Burstable, 5000, "vip"),
                pod("unbounded-too", QosClass.BestEffort, 5000, "vip"));
        assertThat(r.tier("capped").ceiling()).isEqualTo(new TierCeiling("capped", 7.91, "quota-fallback",
                "2 member pod(s) have no CPU limit, so the quota is unbounded: all allocatable CPU"));
        assertThat(r.fired()).contains("ceiling-quota-fallback").doesNotContain("ceiling-quota");
    }

    @Test
    void everyTierGetsExactlyOneCeiling() {
        Run r = run(policy(ceilingTiers("quota")), node(),
                limit(pod("a", QosClass.Burstable, 5000, "vip"), 500),
                pod("unbounded", QosClass.Burstable, 5000, "vip"));
        assertThat(r.decision().tiers()).allSatisfy(t -> assertThat(t.ceiling()).isNotNull());
        assertThat(r.fired()).filteredOn(n -> n.startsWith("ceiling-")).hasSize(3);
    }
}
