package codes.temper.rules;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.policy.QosClass;
import codes.temper.yaml.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One focused test (at least) per DRL rule, on hand-built facts and small inline policies. The
 * last test checks that every rule of the rule base fired somewhere in this class, so a new rule
 * without a test here fails the build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RulesTest {

    /** Every rule that fired in any evaluation of this class. */
    private static final Set<String> FIRED = ConcurrentHashMap.newKeySet();

    private static final String KERNEL = "6.12.57+deb13-cloud-amd64";

    /** The default tier table, inline (the shape of policies/tiers.yaml), with the label switch as a parameter. */
    private static String defaultTiers(boolean allowLabelOverride) {
        return """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: default}
                spec:
                  allowLabelOverride: %s
                  tiers:
                  - {name: critical, match: [{priorityAtLeast: 1000000}], sliceMs: 5, preempt: true}
                  - {name: high, match: [{priorityAtLeast: 100000}], sliceMs: 10, preempt: true}
                  - {name: normal, match: [{priorityAtLeast: 0}], sliceMs: 20}
                  - {name: low, match: [{priorityAtLeast: -100}], sliceMs: 30}
                  - name: background
                    match:
                    - priorityBelow: -100
                    - {qosClass: BestEffort, noPriorityClass: true}
                    ceiling: {cpus: "25%%"}
                    sliceMs: 5
                """.formatted(allowLabelOverride);
    }

    private static final String STRICT_QUOTA_EXCLUSION = """
            ---
            apiVersion: temper.codes/v1
            kind: NodePolicy
            metadata: {name: default}
            spec:
              exclusions:
              - name: strict-cpu-quota
                nodeSelector:
                  matchLabels: {temper.codes/cpu-quota: strict}
                reason: cgroup cpu.max must be enforced by the kernel on this node
            """;

    /** The default NodePolicy's exclusion: about cpu.max, so it holds only where the kernel cannot enforce it. */
    private static final String STRICT_CPU_MAX_EXCLUSION = """
            ---
            apiVersion: temper.codes/v1
            kind: NodePolicy
            metadata: {name: default}
            spec:
              exclusions:
              - name: strict-cpu-quota
                nodeSelector:
                  matchLabels: {temper.codes/cpu-quota: strict}
                reason: cgroup cpu.max must be enforced on this node
                requires: cpuMaxEnforcement
            """;

    private static final Map<String, String> STRICT = Map.of("temper.codes/cpu-quota", "strict");

    // ---------------------------------------------------------------- fixtures

    private static PolicySet policy(String yaml) {
        try {
            return new PolicyParser().parse(List.of(new PolicyFile("t.yaml", yaml.getBytes(UTF_8))));
        } catch (InvalidInputException e) {
            throw new AssertionError("test policy does not parse: " + e.problems(), e);
        }
    }

    private static NodeFact node(Map<String, String> labels, String safeMode, String kernel, int release, long allocatableMillis) {
        return new NodeFact("node-a", labels, safeMode, kernel, release, allocatableMillis);
    }

    private static NodeFact node() {
        return node(Map.of("kubernetes.io/hostname", "node-a"), null, KERNEL, 6012, 8000);
    }

    private static NodeFact nodeWithKernel(String kernel, int release) {
        return node(Map.of(), null, kernel, release, 8000);
    }

    /** A running pod on node-a with no tier label and no CPU limit; pc null means no PriorityClass. */
    private static PodFact pod(String name, QosClass qos, long priority, String pc) {
        return new PodFact("uid-" + name, "ns", name, "node-a", "Running", qos, priority, pc != null, pc, null, -1, 0,
                "cgroup/" + name, false);
    }

    private static PodFact labelled(PodFact p, String tier) {
        return new PodFact(p.uid(), p.namespace(), p.name(), p.nodeName(), p.phase(), p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), tier, p.cpuLimitMillis(), p.cpuRequestMillis(), p.cgroup(), p.terminating());
    }

    private static PodFact phase(PodFact p, String phase) {
        return new PodFact(p.uid(), p.namespace(), p.name(), p.nodeName(), phase, p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), p.tierLabel(), p.cpuLimitMillis(), p.cpuRequestMillis(), p.cgroup(), p.terminating());
    }

    private static PodFact onNode(PodFact p, String nodeName) {
        return new PodFact(p.uid(), p.namespace(), p.name(), nodeName, p.phase(), p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), p.tierLabel(), p.cpuLimitMillis(), p.cpuRequestMillis(), p.cgroup(), p.terminating());
    }

    private static PodFact limit(PodFact p, long cpuLimitMillis) {
        return new PodFact(p.uid(), p.namespace(), p.name(), p.nodeName(), p.phase(), p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), p.tierLabel(), cpuLimitMillis, p.cpuRequestMillis(), p.cgroup(), p.terminating());
    }

    private static PodFact terminating(PodFact p) {
        return new PodFact(p.uid(), p.namespace(), p.name(), p.nodeName(), p.phase(), p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), p.tierLabel(), p.cpuLimitMillis(), p.cpuRequestMillis(), p.cgroup(), true);
    }

    /** One evaluation, with the rules that fired in it (also recorded class-wide). */
    private record Run(Decision decision, List<String> fired) {
        Assignment assignment(String podName) {
            List<Assignment> found = decision.assignments().stream().filter(a -> a.pod().name().equals(podName)).toList();
            assertThat(found).as("assignments of pod %s", podName).hasSize(1);
            return found.getFirst();
        }

        Decision.TierOutcome tier(String name) {
            return decision.tiers().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        }

        Mode mode() {
            return decision.mode().mode();
        }

        List<String> reasons() {
            return decision.mode().reasons();
        }
    }

    private static Run run(PolicySet policy, NodeFact node, PodFact... pods) {
        List<String> fired = new ArrayList<>();
        Decision d = RuleEngine.get().evaluate(policy, node, List.of(pods), rule -> {
            FIRED.add(rule);
            fired.add(rule);
        });
        return new Run(d, fired);
    }

    private static Run run(String policyYaml, PodFact... pods) {
        return run(policy(policyYaml), node(), pods);
    }

    // ---------------------------------------------------------------- eligible-pod

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

    // ---------------------------------------------------------------- labels

    @Test
    void labelOverridePlacesThePodInTheNamedTier() {
        Run r = run(defaultTiers(true),
                labelled(pod("api", QosClass.Guaranteed, 100000, "high-priority"), "low"),
                labelled(pod("scratch", QosClass.BestEffort, 0, null), "critical"));
        Assignment api = r.assignment("api");
        assertThat(api.tier()).isEqualTo("low");
        assertThat(api.rank()).isEqualTo(3);
        assertThat(api.rule()).isEqualTo("label-override");
        assertThat(api.because()).isEqualTo("label temper.codes/tier=low");
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
    void allowLabelOverrideDefaultsToOff() {
        Run r = run("""
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: fast, match: [{priorityAtLeast: 1000}]}
                  - {name: slow, match: [{priorityAtLeast: 0}]}
                """, labelled(pod("p", QosClass.Burstable, 0, null), "fast"));
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

    // ---------------------------------------------------------------- match-without-priority-class

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
        Run r = run("""
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: a, match: [{priorityAtLeast: 5000}]}
                  - {name: b, match: [{noPriorityClass: true, qosClass: Burstable}]}
                  - {name: c, match: [{noPriorityClass: true}]}
                  - {name: d, match: [{priorityAtLeast: 0}]}
                  - {name: e, match: [{priorityBelow: 0}]}
                """,
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
        String template = """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: top, match: [{priorityAtLeast: 1000}]}
                  - {name: classless, match: [%s, %s]}
                  - {name: rest, match: [{priorityAtLeast: -1000000}]}
                """;
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

    // ---------------------------------------------------------------- first-matching-tier

    @Test
    void priorityBoundariesOfTheDefaultTable() {
        Run r = run(defaultTiers(false),
                pod("p2000001000", QosClass.Burstable, 2_000_001_000, "system-node-critical"),
                pod("p2000000000", QosClass.Burstable, 2_000_000_000, "system-cluster-critical"),
                pod("p1000000", QosClass.Burstable, 1_000_000, "platform-critical"),
                pod("p999999", QosClass.Burstable, 999_999, "almost-critical"),
                pod("p100000", QosClass.Burstable, 100_000, "high-priority"),
                pod("p99999", QosClass.Burstable, 99_999, "almost-high"),
                pod("p0", QosClass.Burstable, 0, "default-priority"),
                pod("m1", QosClass.Burstable, -1, "slightly-low"),
                pod("m100", QosClass.Burstable, -100, "low-edge"),
                pod("m101", QosClass.Burstable, -101, "below-low"),
                pod("m1000", QosClass.Guaranteed, -1000, "preemptible"));
        assertThat(r.decision().assignments()).extracting(a -> a.pod().name(), Assignment::tier)
                .containsExactlyInAnyOrder(
                        tuple("p2000001000", "critical"), tuple("p2000000000", "critical"), tuple("p1000000", "critical"),
                        tuple("p999999", "high"), tuple("p100000", "high"),
                        tuple("p99999", "normal"), tuple("p0", "normal"),
                        tuple("m1", "low"), tuple("m100", "low"),
                        tuple("m101", "background"), tuple("m1000", "background"));
        assertThat(r.decision().assignments()).extracting(Assignment::rule).containsOnly("first-matching-tier");
        assertThat(r.assignment("p1000000").because()).isEqualTo("critical.match[0]: priority >= 1000000");
        assertThat(r.assignment("m1000").because()).isEqualTo("background.match[0]: priority < -100");
        assertThat(r.assignment("m1000").rank()).isEqualTo(4);
        assertThat(r.decision().tiers()).extracting(Decision.TierOutcome::name, Decision.TierOutcome::pods)
                .containsExactly(tuple("critical", 3), tuple("high", 2), tuple("normal", 2), tuple("low", 2), tuple("background", 2));
    }

    @Test
    void qosRestrictedEntryOnlyTakesItsClass() {
        Run r = run("""
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: fast, match: [{priorityAtLeast: 0, qosClass: Guaranteed}]}
                  - {name: std, match: [{priorityAtLeast: 0}]}
                  - {name: rest, match: [{priorityBelow: 0}]}
                """,
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
        String broadFirst = """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: t, match: [{priorityAtLeast: 0}, {priorityAtLeast: 10}, {priorityAtLeast: 5, priorityBelow: 100}]}
                  - {name: u, match: [{priorityBelow: 0}]}
                """;
        Run r = run(broadFirst, pod("p", QosClass.Burstable, 50, "c"));
        assertThat(r.decision().assignments()).hasSize(1);
        assertThat(r.assignment("p")).extracting(Assignment::tier, Assignment::rank, Assignment::because)
                .containsExactly("t", 0, "t.match[0]: priority >= 0");

        String narrowFirst = """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: t, match: [{priorityAtLeast: 5, priorityBelow: 100}, {priorityAtLeast: 10}, {priorityAtLeast: 0}]}
                  - {name: u, match: [{priorityBelow: 0}]}
                """;
        r = run(narrowFirst, pod("p", QosClass.Burstable, 50, "c"), pod("q", QosClass.Burstable, 100, "c"));
        assertThat(r.decision().assignments()).hasSize(2);
        assertThat(r.assignment("p").because()).isEqualTo("t.match[0]: priority >= 5, priority < 100");
        assertThat(r.assignment("q").because()).isEqualTo("t.match[1]: priority >= 10");
    }

    @Test
    void higherRankedTierWinsOverAnEarlierEntryIndexOfALowerTier() {
        // The pod matches low.match[0] and high.match[1]; rank decides before index.
        Run r = run("""
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: high, match: [{priorityAtLeast: 1000}, {priorityAtLeast: 0, qosClass: Guaranteed}]}
                  - {name: low, match: [{priorityAtLeast: 0}]}
                """, pod("g", QosClass.Guaranteed, 0, "c"));
        assertThat(r.assignment("g")).extracting(Assignment::tier, Assignment::because)
                .containsExactly("high", "high.match[1]: priority >= 0, qosClass Guaranteed");
    }

    // ---------------------------------------------------------------- default-tier

    private static final String GAPPY_TIERS = """
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

    // ---------------------------------------------------------------- ceilings

    private static String ceilingTiers(String cpus) {
        return """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: capped, match: [{priorityAtLeast: 1000}], ceiling: {cpus: %s}}
                  - {name: open, match: [{priorityAtLeast: -1000000}]}
                  - {name: last}
                """.formatted(cpus);
    }

    @Test
    void shareCeilingIsAFractionOfAllocatable() {
        Run r = run(policy(ceilingTiers("\"25%\"")), node(Map.of(), null, KERNEL, 6012, 7910));
        assertThat(r.tier("capped").ceiling()).isEqualTo(new TierCeiling("capped", 1.9775, "policy", "25% of 7.91 allocatable CPUs"));
        r = run(policy(ceilingTiers("\"50%\"")), node(Map.of(), null, KERNEL, 6012, 8000));
        assertThat(r.tier("capped").ceiling().cpus()).isEqualTo(4.0);
        r = run(policy(ceilingTiers("\"100%\"")), node(Map.of(), null, KERNEL, 6012, 3500));
        assertThat(r.tier("capped").ceiling()).isEqualTo(new TierCeiling("capped", 3.5, "policy", "100% of 3.5 allocatable CPUs"));
        assertThat(r.fired()).contains("ceiling-share");
    }

    @Test
    void coresCeilingIsAbsolute() {
        Run r = run(policy(ceilingTiers("\"6\"")), node(Map.of(), null, KERNEL, 6012, 7910));
        assertThat(r.tier("capped").ceiling()).isEqualTo(new TierCeiling("capped", 6.0, "policy", "6 cores"));
        r = run(policy(ceilingTiers("1.5")), node());
        assertThat(r.tier("capped").ceiling()).isEqualTo(new TierCeiling("capped", 1.5, "policy", "1.5 cores"));
        assertThat(r.fired()).contains("ceiling-cores");
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

    // ---------------------------------------------------------------- mode

    @Test
    void safeModeRequestedByTrue() {
        Run r = run(policy(defaultTiers(false)), node(Map.of(), "true", KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"true\" requests safe mode");
        assertThat(r.fired()).contains("safe-mode-requested", "mode-by-precedence").doesNotContain("attach");
    }

    @Test
    void anyValueButFalseRequestsSafeModeAndAnOddValueIsNamed() {
        for (String odd : new String[] {"yes", "", "False", "1", "off"}) {
            Run r = run(policy(defaultTiers(false)), node(Map.of(), odd, KERNEL, 6012, 8000));
            assertThat(r.mode()).as("value \"%s\"", odd).isEqualTo(Mode.SAFE_MODE);
            assertThat(r.reasons()).as("value \"%s\"", odd).containsExactly(
                    "annotation temper.codes/safe-mode-requested=\"" + odd + "\" requests safe mode"
                            + " (value is not \"true\"; any value but \"false\" counts as a request)");
        }
    }

    @Test
    void exactlyFalseOrNoAnnotationDoesNotRequestSafeMode() {
        for (String v : new String[] {"false", null}) {
            Run r = run(policy(defaultTiers(false)), node(Map.of(), v, KERNEL, 6012, 8000));
            assertThat(r.mode()).as("value %s", v).isEqualTo(Mode.ATTACH);
            assertThat(r.fired()).doesNotContain("safe-mode-requested");
        }
    }

    @Test
    void excludedByMatchLabels() {
        PolicySet p = policy(defaultTiers(false) + STRICT_QUOTA_EXCLUSION);
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict", "kubernetes.io/os", "linux"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly(
                "NodePolicy default/strict-cpu-quota: cgroup cpu.max must be enforced by the kernel on this node");
        assertThat(r.fired()).contains("excluded-by-node-policy");

        r = run(p, node(Map.of("temper.codes/cpu-quota", "relaxed"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        r = run(p, node(Map.of(), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
    }

    @Test
    void excludedByMatchExpressions() {
        PolicySet p = policy(defaultTiers(false) + """
                ---
                apiVersion: temper.codes/v1
                kind: NodePolicy
                metadata: {name: fleet}
                spec:
                  exclusions:
                  - name: gpu-or-legacy
                    nodeSelector:
                      matchExpressions:
                      - {key: node.kubernetes.io/instance-type, operator: In, values: [p4d.24xlarge, g5.xlarge]}
                      - {key: example.com/keep-cfs, operator: DoesNotExist}
                    reason: GPU nodes keep the stock scheduler
                  - name: opted-out
                    nodeSelector:
                      matchExpressions:
                      - {key: temper.codes/opt-out, operator: Exists}
                      - {key: topology.kubernetes.io/zone, operator: NotIn, values: [eu-central-1c]}
                    reason: the node owner opted out
                """);
        Run r = run(p, node(Map.of("node.kubernetes.io/instance-type", "g5.xlarge"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy fleet/gpu-or-legacy: GPU nodes keep the stock scheduler");

        // In matches but DoesNotExist fails: every requirement must hold
        r = run(p, node(Map.of("node.kubernetes.io/instance-type", "g5.xlarge", "example.com/keep-cfs", "no"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);

        r = run(p, node(Map.of("temper.codes/opt-out", "", "topology.kubernetes.io/zone", "eu-central-1a"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy fleet/opted-out: the node owner opted out");

        r = run(p, node(Map.of("temper.codes/opt-out", "", "topology.kubernetes.io/zone", "eu-central-1c"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);

        // NotIn holds for a node without the label at all, as in Kubernetes selectors
        r = run(p, node(Map.of("temper.codes/opt-out", "yes"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy fleet/opted-out: the node owner opted out");

        r = run(p, node(Map.of("node.kubernetes.io/instance-type", "m6i.2xlarge"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.fired()).doesNotContain("excluded-by-node-policy");
    }

    @Test
    void kernelOlderThan612IsUnsupported() {
        Run r = run(policy(defaultTiers(false)), nodeWithKernel("6.1.0-18-amd64", 6001));
        assertThat(r.mode()).isEqualTo(Mode.UNSUPPORTED);
        assertThat(r.reasons()).containsExactly("kernel 6.1.0-18-amd64 is older than 6.12, the first with sched_ext");
        assertThat(r.fired()).contains("kernel-too-old").doesNotContain("attach");

        r = run(policy(defaultTiers(false)), nodeWithKernel("6.11.9", 6011));
        assertThat(r.mode()).isEqualTo(Mode.UNSUPPORTED);
    }

    @Test
    void unreadableOrMissingKernelIsUnsupported() {
        Run r = run(policy(defaultTiers(false)), nodeWithKernel(null, -1));
        assertThat(r.mode()).isEqualTo(Mode.UNSUPPORTED);
        assertThat(r.reasons()).containsExactly("the node reports no kernel version; sched_ext needs 6.12 or later");
        assertThat(r.fired()).contains("kernel-unknown");

        r = run(policy(defaultTiers(false)), nodeWithKernel("garbage", -1));
        assertThat(r.mode()).isEqualTo(Mode.UNSUPPORTED);
        assertThat(r.reasons()).containsExactly("kernel version \"garbage\" cannot be read; sched_ext needs 6.12 or later");
    }

    @Test
    void kernel612AndLaterAttach() {
        Run r = run(policy(defaultTiers(false)), nodeWithKernel("6.12.0", 6012));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.reasons()).containsExactly("kernel 6.12.0 has sched_ext; no exclusion or safe-mode request applies");
        assertThat(r.fired()).contains("attach", "mode-by-precedence").doesNotContain("kernel-too-old", "kernel-unknown");

        r = run(policy(defaultTiers(false)), nodeWithKernel("7.2.13", 7002));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.reasons()).containsExactly("kernel 7.2.13 has sched_ext; no exclusion or safe-mode request applies");
    }

    @Test
    void safeModeBeatsExclusionAndOldKernel() {
        PolicySet p = policy(defaultTiers(false) + STRICT_QUOTA_EXCLUSION);
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict"), "true", "6.1.0-18-amd64", 6001, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"true\" requests safe mode");
        assertThat(r.fired()).contains("safe-mode-requested", "excluded-by-node-policy", "kernel-too-old", "mode-by-precedence")
                .doesNotContain("attach");
        assertThat(r.fired()).filteredOn("mode-by-precedence"::equals).hasSize(1);
    }

    @Test
    void safeModeBeatsExclusion() {
        PolicySet p = policy(defaultTiers(false) + STRICT_QUOTA_EXCLUSION);
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict"), "yes", KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).hasSize(1).allMatch(s -> s.startsWith("annotation temper.codes/safe-mode-requested=\"yes\""));
    }

    @Test
    void safeModeBeatsUnknownKernel() {
        Run r = run(policy(defaultTiers(false)), node(Map.of(), "true", "garbage", -1, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"true\" requests safe mode");
    }

    @Test
    void exclusionBeatsUnsupportedKernel() {
        PolicySet p = policy(defaultTiers(false) + STRICT_QUOTA_EXCLUSION);
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict"), "false", null, -1, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly(
                "NodePolicy default/strict-cpu-quota: cgroup cpu.max must be enforced by the kernel on this node");
        assertThat(r.fired()).contains("kernel-unknown", "excluded-by-node-policy").doesNotContain("attach");
    }

    // ---------------------------------------------------------------- cpu.max

    @Test
    void strictNodeBefore617IsExcludedInferredOffline() {
        PolicySet p = policy(defaultTiers(false) + STRICT_CPU_MAX_EXCLUSION);
        Run r = run(p, node(STRICT, null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy default/strict-cpu-quota: cgroup cpu.max must be enforced on this node; "
                + "cpu.max cannot be enforced by sched_ext before 6.17 (kernel " + KERNEL + ", inferred from kernelVersion)");
        assertThat(r.fired()).contains("excluded-cpu-max-not-enforced")
                .doesNotContain("excluded-by-node-policy", "cpu-max-enforced-by-scheduler", "attach");

        // 6.16 is the last without the callback.
        assertThat(run(p, node(STRICT, null, "6.16.3", 6016, 8000)).mode()).isEqualTo(Mode.EXCLUDED);
    }

    @Test
    void strictNodeOn617AndLaterAttachesAndSaysWhy() {
        PolicySet p = policy(defaultTiers(false) + STRICT_CPU_MAX_EXCLUSION);
        Run r = run(p, node(STRICT, null, "6.18.2-cloud-amd64", 6018, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.reasons()).containsExactly(
                "NodePolicy default/strict-cpu-quota does not hold: cpu.max is enforced by the scheduler "
                        + "(kernel 6.18.2-cloud-amd64, cgroup_set_bandwidth, inferred from kernelVersion)",
                "kernel 6.18.2-cloud-amd64 has sched_ext; no exclusion or safe-mode request applies");
        assertThat(r.fired()).contains("cpu-max-enforced-by-scheduler", "attach").doesNotContain("excluded-cpu-max-not-enforced");

        assertThat(run(p, node(STRICT, null, "6.17.0", 6017, 8000)).mode()).isEqualTo(Mode.ATTACH);
        // A node the exclusion does not select gets no cpu.max reason.
        assertThat(run(p, node(Map.of(), null, "6.18.2", 6018, 8000)).reasons())
                .containsExactly("kernel 6.18.2 has sched_ext; no exclusion or safe-mode request applies");
    }

    @Test
    void theAgentsProbeDecidesOverTheKernelVersion() {
        PolicySet p = policy(defaultTiers(false) + STRICT_CPU_MAX_EXCLUSION);
        // A 6.18 whose sched_ext_ops lacks the callback (a vendor kernel) stays excluded.
        NodeFact n = node(STRICT, null, "6.18.2", 6018, 8000)
                .withCpuMax(CpuMaxSupport.probed(false, "sched_ext_ops has no cgroup_set_bandwidth"));
        Run r = run(p, n);
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy default/strict-cpu-quota: cgroup cpu.max must be enforced on this node; "
                + "cpu.max cannot be enforced by sched_ext before 6.17 (kernel 6.18.2: sched_ext_ops has no cgroup_set_bandwidth)");

        // A backport that has it attaches, and the reason does not say "inferred".
        r = run(p, node(STRICT, null, KERNEL, 6012, 8000).withCpuMax(CpuMaxSupport.probed(true, "cgroup_set_bandwidth")));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.reasons()).contains("NodePolicy default/strict-cpu-quota does not hold: cpu.max is enforced by the scheduler (kernel "
                + KERNEL + ", cgroup_set_bandwidth)");
    }

    @Test
    void aProbeThatCannotTellExcludesStrictNodes() {
        PolicySet p = policy(defaultTiers(false) + STRICT_CPU_MAX_EXCLUSION);
        Run r = run(p, node(STRICT, null, "6.18.2", 6018, 8000).withCpuMax(CpuMaxSupport.probeFailed("no kernel BTF at /sys/kernel/btf/vmlinux")));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).singleElement().asString().endsWith("; cpu.max enforcement by sched_ext could not be probed "
                + "(kernel 6.18.2: no kernel BTF at /sys/kernel/btf/vmlinux), so it is taken as not enforced");
    }

    @Test
    void otherExclusionsHoldWhateverTheKernel() {
        PolicySet p = policy(defaultTiers(false) + STRICT_QUOTA_EXCLUSION);
        Run r = run(p, node(STRICT, null, "6.18.2", 6018, 8000).withCpuMax(CpuMaxSupport.probed(true, "cgroup_set_bandwidth")));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy default/strict-cpu-quota: cgroup cpu.max must be enforced by the kernel on this node");
    }

    @Test
    void safeModeBeatsACpuMaxAttach() {
        PolicySet p = policy(defaultTiers(false) + STRICT_CPU_MAX_EXCLUSION);
        Run r = run(p, node(STRICT, "true", "6.18.2", 6018, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"true\" requests safe mode");
        assertThat(r.fired()).contains("cpu-max-enforced-by-scheduler").doesNotContain("attach");
    }

    @Test
    void requiresIsParsed() {
        PolicySet p = policy(defaultTiers(false) + STRICT_CPU_MAX_EXCLUSION + STRICT_QUOTA_EXCLUSION.replace("name: default", "name: other")
                .replace("name: strict-cpu-quota", "name: legacy"));
        assertThat(p.exclusions()).extracting(codes.temper.policy.Exclusion::policy, codes.temper.policy.Exclusion::requiresCpuMax)
                .containsExactlyInAnyOrder(tuple("default", true), tuple("other", false));
    }

    @Test
    void allReasonsOfTheWinningModeAreKeptSorted() {
        PolicySet p = policy(defaultTiers(false) + """
                ---
                apiVersion: temper.codes/v1
                kind: NodePolicy
                metadata: {name: ops}
                spec:
                  exclusions:
                  - name: zz-maintenance
                    nodeSelector: {matchLabels: {example.com/maintenance: "true"}}
                    reason: node is in maintenance
                  - name: aa-strict
                    nodeSelector: {matchLabels: {temper.codes/cpu-quota: strict}}
                    reason: strict quota
                """);
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict", "example.com/maintenance", "true"), null, "5.15.0-1051-aws", 5015, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy ops/aa-strict: strict quota",
                "NodePolicy ops/zz-maintenance: node is in maintenance");
    }

    @Test
    void podsAreStillPlacedWhenTheNodeIsNotAttached() {
        // The plan shows what would apply; the mode decides whether it does.
        Run r = run(policy(defaultTiers(false)), node(Map.of(), "true", KERNEL, 6012, 8000), pod("p", QosClass.Burstable, 0, null));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.assignment("p").tier()).isEqualTo("normal");
    }

    // ---------------------------------------------------------------- coverage of the rule base

    @Test
    @Order(Integer.MAX_VALUE)
    void everyRuleFiredInThisClass() {
        List<String> rules = RuleEngine.get().ruleNames();
        assertThat(rules).contains("eligible-pod", "label-override", "label-override-unknown-tier", "label-override-not-allowed",
                "match-without-priority-class", "first-matching-tier", "default-tier", "ceiling-share", "ceiling-cores",
                "ceiling-none", "ceiling-quota", "ceiling-quota-fallback", "safe-mode-requested", "excluded-by-node-policy",
                "kernel-too-old", "kernel-unknown", "attach", "mode-by-precedence", "excluded-cpu-max-not-enforced",
                "cpu-max-enforced-by-scheduler");
        assertThat(FIRED).as("rules that fired in RulesTest; a rule missing here has no focused test")
                .containsAll(rules);
    }
}
