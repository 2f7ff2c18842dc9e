package codes.temper.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import codes.temper.policy.QosClass;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** rules/tiers.drl: which pods are placed, and in which tier (labels, class-less entries, first match, default tier). */
class TierRulesTest extends RuleFixtures {

    @Override
    String drlFile() {
        return "tiers.drl";
    }

    static final String GAPPY_TIERS = """
            apiVersion: temper.codes/v1
            kind: TierPolicy
            metadata: {name: gappy}
            spec:
              %s
              tiers:
              - {name: gold, match: [{priorityAtLeast: 1000}]}
              - {name: silver, match: [{priorityAtLeast: 0, qosClass: Guaranteed}]}
              - {name: bronze}
            """;

    @Test
    void eligiblePodsAreThoseOfThisNodeThatAreNotFinished() {
        Run r = run(defaultTiers(false),
                pod("running", QosClass.Burstable, 0, null),
                phase(pod("pending", QosClass.Burstable, 0, null), "Pending"),
                terminating(pod("terminating", QosClass.Burstable, 0, null)),
                phase(pod("unknown-phase", QosClass.Burstable, 0, null), "Unknown"),
                onNode(pod("elsewhere", QosClass.Burstable, 0, null), "node-b"),
                onNode(phase(pod("unbound", QosClass.Burstable, 0, null), "Pending"), null),
                phase(pod("succeeded", QosClass.Burstable, 0, null), "Succeeded"),
                phase(pod("failed", QosClass.Burstable, 0, null), "Failed"));
        assertThat(r.decision().assignments()).extracting(a -> a.pod().name(), Assignment::tier)
                .containsExactly(tuple("pending", "normal"), tuple("running", "normal"),
                        tuple("terminating", "normal"), tuple("unknown-phase", "normal"));
        assertThat(r.tier("normal").pods()).isEqualTo(4);
        assertThat(r.fired()).filteredOn("eligible-pod"::equals).hasSize(4);
    }

    @Test
    void noPodsStillDecidesModeAndCeilings() {
        Run r = run(defaultTiers(false));
        assertThat(r.decision().assignments()).isEmpty();
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.decision().tiers()).extracting(Decision.TierOutcome::name, Decision.TierOutcome::rank, Decision.TierOutcome::pods)
                .containsExactly(tuple("critical", 0, 0), tuple("high", 1, 0), tuple("normal", 2, 0), tuple("low", 3, 0),
                        tuple("background", 4, 0));
        assertThat(r.fired()).doesNotContain("eligible-pod");
    }

    @Test
    void labelOverridePlacesThePodInTheNamedTier() {
        Run r = run(defaultTiers(true),
                labelled(pod("api", QosClass.Guaranteed, 100000, "high-priority"), "low"),
                labelled(pod("scratch", QosClass.BestEffort, 0, null), "critical"));
        Assignment api = r.assignment("api");
        assertThat(api.tier()).isEqualTo("low");
        assertThat(api.rank()).isEqualTo(3);
        assertThat(api.rule()).isEqualTo("label-override");
        assertThat(api.because()).isEqualTo("label temper.codes/tier=low (namespace ns is trusted)");
        // the label also beats the class-less BestEffort entry
        assertThat(r.assignment("scratch").tier()).isEqualTo("critical");
        assertThat(r.assignment("scratch").rule()).isEqualTo("label-override");
        assertThat(r.decision().warnings()).isEmpty();
    }

    @Test
    void labelNamingNoTierWarnsAndThePodIsPlacedByThePolicy() {
        Run r = run(defaultTiers(true), labelled(pod("indexer", QosClass.Burstable, 0, null), "nosuchtier"));
        assertThat(r.decision().warnings()).containsExactly(
                "pod ns/indexer: label temper.codes/tier=nosuchtier names no tier; placed by the policy's match entries instead");
        Assignment a = r.assignment("indexer");
        assertThat(a.tier()).isEqualTo("normal");
        assertThat(a.rule()).isEqualTo("first-matching-tier");
        assertThat(r.fired()).contains("label-override-unknown-tier").doesNotContain("label-override");
    }

    @Test
    void labelIsIgnoredWithAWarningWhenThePolicyDoesNotAllowOverrides() {
        Run r = run(defaultTiers(false), labelled(pod("exporter", QosClass.Burstable, 0, null), "low"));
        assertThat(r.decision().warnings()).containsExactly(
                "pod ns/exporter: label temper.codes/tier ignored; the policy does not allow overrides");
        assertThat(r.assignment("exporter").tier()).isEqualTo("normal");
        assertThat(r.assignment("exporter").rule()).isEqualTo("first-matching-tier");
        assertThat(r.fired()).contains("label-override-not-allowed").doesNotContain("label-override");
    }

    @Test
    void outsideTheTrustedNamespacesALabelLowersAPodButNeverRaisesIt() {
        Run r = run(defaultTiersTrusting("platform-system"),
                labelled(pod("scratch", QosClass.BestEffort, 0, null), "critical"),
                labelled(pod("api", QosClass.Guaranteed, 100000, "high-priority"), "low"),
                labelled(pod("same", QosClass.Burstable, 100000, "high-priority"), "high"),
                labelled(pod("up-one", QosClass.Burstable, 0, "default-priority"), "high"));
        // A BestEffort pod without a PriorityClass earns background; its label asks for critical.
        assertThat(r.assignment("scratch")).extracting(Assignment::tier, Assignment::rule)
                .containsExactly("background", "match-without-priority-class");
        assertThat(r.assignment("up-one")).extracting(Assignment::tier, Assignment::rule).containsExactly("normal", "first-matching-tier");
        assertThat(r.decision().warnings()).containsExactlyInAnyOrder(
                "pod ns/scratch: label temper.codes/tier=critical ignored; namespace ns is not trusted to raise a pod above the tier its priority earns (background)",
                "pod ns/up-one: label temper.codes/tier=high ignored; namespace ns is not trusted to raise a pod above the tier its priority earns (normal)");
        // Lowering is the owner's own business.
        Assignment api = r.assignment("api");
        assertThat(api).extracting(Assignment::tier, Assignment::rank, Assignment::rule).containsExactly("low", 3, "label-override-demotion");
        assertThat(api.because()).isEqualTo("label temper.codes/tier=low (lowers the pod from high, the tier its priority earns)");
        assertThat(r.assignment("same")).extracting(Assignment::tier, Assignment::rule).containsExactly("high", "first-matching-tier");
        assertThat(r.fired()).contains("label-override-demotion", "label-override-promotion-refused").doesNotContain("label-override");
        assertThat(r.decision().tiers()).filteredOn(t -> t.name().equals("critical")).singleElement()
                .extracting(t -> t.pods()).isEqualTo(0);
    }

    @Test
    void inATrustedNamespaceTheLabelPicksAnyTier() {
        Run r = run(defaultTiersTrusting("platform-system", "ns"), labelled(pod("scratch", QosClass.BestEffort, 0, null), "critical"));
        assertThat(r.assignment("scratch")).extracting(Assignment::tier, Assignment::rule).containsExactly("critical", "label-override");
        assertThat(r.decision().warnings()).isEmpty();
    }

    @Test
    void allowLabelOverrideDefaultsToOff() {
        Run r = run(tiers("{name: fast, match: [{priorityAtLeast: 1000}]}",
                "{name: slow, match: [{priorityAtLeast: 0}]}"), labelled(pod("p", QosClass.Burstable, 0, null), "fast"));
        assertThat(r.assignment("p").tier()).isEqualTo("slow");
        assertThat(r.decision().warnings()).containsExactly("pod ns/p: label temper.codes/tier ignored; the policy does not allow overrides");
    }

    @Test
    void podsWithoutLabelGetNoLabelWarnings() {
        Run r = run(defaultTiers(true), pod("plain", QosClass.Burstable, 0, null));
        assertThat(r.decision().warnings()).isEmpty();
        r = run(defaultTiers(false), pod("plain", QosClass.Burstable, 0, null));
        assertThat(r.decision().warnings()).isEmpty();
    }

    @Test
    void classlessBestEffortGoesToTheNoPriorityClassEntry() {
        Run r = run(defaultTiers(false),
                pod("besteffort", QosClass.BestEffort, 0, null),
                pod("burstable", QosClass.Burstable, 0, null),
                pod("guaranteed", QosClass.Guaranteed, 0, null),
                pod("besteffort-with-class", QosClass.BestEffort, 0, "default-priority"));
        Assignment be = r.assignment("besteffort");
        assertThat(be.tier()).isEqualTo("background");
        assertThat(be.rank()).isEqualTo(4);
        assertThat(be.rule()).isEqualTo("match-without-priority-class");
        assertThat(be.because()).isEqualTo("background.match[1]: qosClass BestEffort, no PriorityClass");
        // no entry for class-less Burstable/Guaranteed pods: their priority 0 puts them in normal
        assertThat(r.assignment("burstable")).extracting(Assignment::tier, Assignment::rule).containsExactly("normal", "first-matching-tier");
        assertThat(r.assignment("guaranteed")).extracting(Assignment::tier, Assignment::rule).containsExactly("normal", "first-matching-tier");
        // with a class, a BestEffort pod is placed by its priority
        assertThat(r.assignment("besteffort-with-class")).extracting(Assignment::tier, Assignment::rule)
                .containsExactly("normal", "first-matching-tier");
    }

    @Test
    void noPriorityClassEntriesAreTriedByRankAndOnlyForClasslessPods() {
        Run r = run(tiers("{name: a, match: [{priorityAtLeast: 5000}]}",
                "{name: b, match: [{noPriorityClass: true, qosClass: Burstable}]}",
                "{name: c, match: [{noPriorityClass: true}]}",
                "{name: d, match: [{priorityAtLeast: 0}]}",
                "{name: e, match: [{priorityBelow: 0}]}"),
                pod("burstable", QosClass.Burstable, 0, null),
                pod("guaranteed", QosClass.Guaranteed, 0, null),
                pod("burstable-with-class", QosClass.Burstable, 0, "default-priority"),
                pod("besteffort-negative-class", QosClass.BestEffort, -10, "batch"));
        assertThat(r.assignment("burstable")).extracting(Assignment::tier, Assignment::rule, Assignment::because)
                .containsExactly("b", "match-without-priority-class", "b.match[0]: qosClass Burstable, no PriorityClass");
        assertThat(r.assignment("guaranteed")).extracting(Assignment::tier, Assignment::rule, Assignment::because)
                .containsExactly("c", "match-without-priority-class", "c.match[0]: no PriorityClass");
        assertThat(r.assignment("burstable-with-class")).extracting(Assignment::tier, Assignment::rule)
                .containsExactly("d", "first-matching-tier");
        assertThat(r.assignment("besteffort-negative-class")).extracting(Assignment::tier, Assignment::rule)
                .containsExactly("e", "first-matching-tier");
    }

    @Test
    void withinOneTierTheFirstMatchingNoPriorityClassEntryIsTheReason() {
        String template = tiers("{name: top, match: [{priorityAtLeast: 1000}]}",
                "{name: classless, match: [%s, %s]}",
                "{name: rest, match: [{priorityAtLeast: -1000000}]}");
        String any = "{noPriorityClass: true}";
        String guaranteed = "{noPriorityClass: true, qosClass: Guaranteed}";
        Run r = run(template.formatted(any, guaranteed), pod("g", QosClass.Guaranteed, 0, null));
        assertThat(r.decision().assignments()).hasSize(1);
        assertThat(r.assignment("g")).extracting(Assignment::tier, Assignment::rule, Assignment::because)
                .containsExactly("classless", "match-without-priority-class", "classless.match[0]: no PriorityClass");
        r = run(template.formatted(guaranteed, any), pod("g", QosClass.Guaranteed, 0, null), pod("b", QosClass.Burstable, 0, null));
        assertThat(r.decision().assignments()).hasSize(2);
        assertThat(r.assignment("g").because()).isEqualTo("classless.match[0]: qosClass Guaranteed, no PriorityClass");
        assertThat(r.assignment("b").because()).isEqualTo("classless.match[1]: no PriorityClass");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2000001000|system-node-critical|critical|critical.match[0]: priority >= 1000000",
            "2000000000|system-cluster-critical|critical|critical.match[0]: priority >= 1000000",
            "1000000|platform-critical|critical|critical.match[0]: priority >= 1000000",
            "999999|almost-critical|high|high.match[0]: priority >= 100000",
            "100000|high-priority|high|high.match[0]: priority >= 100000",
            "99999|almost-high|normal|normal.match[0]: priority >= 0",
            "0|default-priority|normal|normal.match[0]: priority >= 0",
            "-1|slightly-low|low|low.match[0]: priority >= -100",
            "-100|low-edge|low|low.match[0]: priority >= -100",
            "-101|below-low|background|background.match[0]: priority < -100",
            "-1000|preemptible|background|background.match[0]: priority < -100"})
    void priorityBoundariesOfTheDefaultTable(long priority, String priorityClass, String tier, String because) {
        Run r = run(defaultTiers(false), pod("p", QosClass.Burstable, priority, priorityClass),
                pod("g", QosClass.Guaranteed, priority, priorityClass));
        for (String pod : new String[] {"p", "g"}) {
            assertThat(r.assignment(pod)).extracting(Assignment::tier, Assignment::rule, Assignment::because)
                    .containsExactly(tier, "first-matching-tier", because);
        }
        assertThat(r.tier(tier).pods()).isEqualTo(2);
    }

    @Test
    void qosRestrictedEntryOnlyTakesItsClass() {
        Run r = run(tiers("{name: fast, match: [{priorityAtLeast: 0, qosClass: Guaranteed}]}",
                "{name: std, match: [{priorityAtLeast: 0}]}",
                "{name: rest, match: [{priorityBelow: 0}]}"),
                pod("guaranteed", QosClass.Guaranteed, 0, "default-priority"),
                pod("burstable", QosClass.Burstable, 0, "default-priority"),
                pod("guaranteed-negative", QosClass.Guaranteed, -5, "batch"));
        assertThat(r.assignment("guaranteed")).extracting(Assignment::tier, Assignment::because)
                .containsExactly("fast", "fast.match[0]: priority >= 0, qosClass Guaranteed");
        assertThat(r.assignment("burstable")).extracting(Assignment::tier, Assignment::because)
                .containsExactly("std", "std.match[0]: priority >= 0");
        assertThat(r.assignment("guaranteed-negative")).extracting(Assignment::tier, Assignment::because)
                .containsExactly("rest", "rest.match[0]: priority < 0");
    }

    @Test
    void withinOneTierTheFirstMatchingEntryIsTheReason() {
        String broadFirst = tiers("{name: t, match: [{priorityAtLeast: 0}, {priorityAtLeast: 10}, {priorityAtLeast: 5, priorityBelow: 100}]}",
                "{name: u, match: [{priorityBelow: 0}]}");
        Run r = run(broadFirst, pod("p", QosClass.Burstable, 50, "c"));
        assertThat(r.decision().assignments()).hasSize(1);
        assertThat(r.assignment("p")).extracting(Assignment::tier, Assignment::rank, Assignment::because)
                .containsExactly("t", 0, "t.match[0]: priority >= 0");

        String narrowFirst = tiers("{name: t, match: [{priorityAtLeast: 5, priorityBelow: 100}, {priorityAtLeast: 10}, {priorityAtLeast: 0}]}",
                "{name: u, match: [{priorityBelow: 0}]}");
        r = run(narrowFirst, pod("p", QosClass.Burstable, 50, "c"), pod("q", QosClass.Burstable, 100, "c"));
        assertThat(r.decision().assignments()).hasSize(2);
        assertThat(r.assignment("p").because()).isEqualTo("t.match[0]: priority >= 5, priority < 100");
        assertThat(r.assignment("q").because()).isEqualTo("t.match[1]: priority >= 10");
    }

    @Test
    void higherRankedTierWinsOverAnEarlierEntryIndexOfALowerTier() {
        // The pod matches low.match[0] and high.match[1]; rank decides before index.
        Run r = run(tiers("{name: high, match: [{priorityAtLeast: 1000}, {priorityAtLeast: 0, qosClass: Guaranteed}]}",
                "{name: low, match: [{priorityAtLeast: 0}]}"), pod("g", QosClass.Guaranteed, 0, "c"));
        assertThat(r.assignment("g")).extracting(Assignment::tier, Assignment::because)
                .containsExactly("high", "high.match[1]: priority >= 0, qosClass Guaranteed");
    }

    @Test
    void podMatchingNoEntryGoesToTheLastTierByDefault() {
        Run r = run(GAPPY_TIERS.formatted(""),
                pod("burstable", QosClass.Burstable, 0, null),
                pod("negative", QosClass.Guaranteed, -5, "batch"),
                pod("gold", QosClass.BestEffort, 5000, "vip"),
                pod("silver", QosClass.Guaranteed, 0, null));
        assertThat(r.assignment("burstable")).extracting(Assignment::tier, Assignment::rank, Assignment::rule, Assignment::because)
                .containsExactly("bronze", 2, "default-tier", "no match entry applies; spec.defaultTier is bronze");
        assertThat(r.assignment("negative")).extracting(Assignment::tier, Assignment::rule).containsExactly("bronze", "default-tier");
        assertThat(r.assignment("gold")).extracting(Assignment::tier, Assignment::rule).containsExactly("gold", "first-matching-tier");
        assertThat(r.assignment("silver")).extracting(Assignment::tier, Assignment::rule).containsExactly("silver", "first-matching-tier");
    }

    @Test
    void specDefaultTierNamesWhereUnmatchedPodsGo() {
        Run r = run(GAPPY_TIERS.formatted("defaultTier: silver"),
                pod("burstable", QosClass.Burstable, 0, null),
                pod("negative", QosClass.BestEffort, -5, "batch"));
        assertThat(r.assignment("burstable")).extracting(Assignment::tier, Assignment::rank, Assignment::rule, Assignment::because)
                .containsExactly("silver", 1, "default-tier", "no match entry applies; spec.defaultTier is silver");
        assertThat(r.assignment("negative").tier()).isEqualTo("silver");
        assertThat(r.tier("bronze").pods()).isZero();
        assertThat(r.tier("silver").pods()).isEqualTo(2);
    }

    @Test
    void podsAreStillPlacedWhenTheNodeIsNotAttached() {
        // The plan shows what would apply; the mode decides whether it does.
        Run r = run(policy(defaultTiers(false)), node(Map.of(), "true", KERNEL, 6012, 8000), pod("p", QosClass.Burstable, 0, null));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.assignment("p").tier()).isEqualTo("normal");
    }
}
