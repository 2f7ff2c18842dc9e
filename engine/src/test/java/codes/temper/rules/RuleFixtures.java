package codes.temper.rules;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.policy.QosClass;
import codes.temper.yaml.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the rule tests share: hand-built facts, small inline policies and an evaluation that
 * records which rules fired. One test class per {@code .drl} file extends this; its last test
 * checks that every rule of its file fired somewhere in that class, so a new rule without a
 * focused test fails the build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class RuleFixtures {
    static final Path RULES = Path.of("../rules");
    static final String KERNEL = "6.12.57+deb13-cloud-amd64";
    static final Map<String, String> STRICT = Map.of("temper.codes/cpu-quota", "strict");

    /** Rules that fired, per test class. */
    private static final Map<Class<?>, Set<String>> FIRED = new ConcurrentHashMap<>();

    /** The rule file this class covers, e.g. {@code tiers.drl}. */
    abstract String drlFile();

    /** The rule names a {@code .drl} file declares. */
    static List<String> rulesOf(String drlFile) throws IOException {
        Matcher m = Pattern.compile("(?m)^rule \"([^\"]+)\"").matcher(Files.readString(RULES.resolve(drlFile)));
        List<String> names = new ArrayList<>();
        while (m.find()) names.add(m.group(1));
        return names;
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void everyRuleOfTheFileFiredInThisClass() throws IOException {
        List<String> rules = rulesOf(drlFile());
        assertThat(rules).isNotEmpty();
        assertThat(FIRED.getOrDefault(getClass(), Set.of())).as("rules of %s that fired in %s; a rule missing here has no focused test",
                drlFile(), getClass().getSimpleName()).containsAll(rules);
    }

    // ---------------------------------------------------------------- policies

    /**
     * The default tier table, inline (the shape of policies/tiers.yaml), with the label switch as
     * a parameter; turned on, it trusts the fixtures' namespace "ns".
     */
    static String defaultTiers(boolean allowLabelOverride) {
        return allowLabelOverride ? defaultTiersTrusting("ns") : defaultTiersWith("allowLabelOverride: false");
    }

    /** The default tier table with label overrides on, trusting {@code namespaces}. */
    static String defaultTiersTrusting(String... namespaces) {
        return defaultTiersWith("allowLabelOverride: true\n  labelOverrideNamespaces: [" + String.join(", ", namespaces) + "]");
    }

    private static String defaultTiersWith(String labelSettings) {
        return """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: default}
                spec:
                  %s
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
                """.formatted(labelSettings);
    }

    /** A TierPolicy named {@code t} whose tiers are the given YAML list items, one per line. */
    static String tiers(String... items) {
        return "apiVersion: temper.codes/v1\nkind: TierPolicy\nmetadata: {name: t}\nspec:\n  tiers:\n"
                + String.join("", List.of(items).stream().map(i -> "  - " + i + "\n").toList());
    }

    static final String STRICT_REASON = "cgroup cpu.max must be enforced on this node";

    /**
     * The default NodePolicy's exclusion (policies/nodes.yaml). With {@code requiresCpuMax} it
     * holds only where the kernel cannot enforce cpu.max; without, always.
     */
    static String strictQuota(boolean requiresCpuMax) {
        return """
                ---
                apiVersion: temper.codes/v1
                kind: NodePolicy
                metadata: {name: default}
                spec:
                  exclusions:
                  - name: strict-cpu-quota
                    nodeSelector:
                      matchLabels: {temper.codes/cpu-quota: strict}
                    reason: %s
                """.formatted(STRICT_REASON) + (requiresCpuMax ? "    requires: cpuMaxEnforcement\n" : "");
    }

    static PolicySet policy(String yaml) {
        try {
            return new PolicyParser().parse(List.of(new PolicyFile("t.yaml", yaml.getBytes(UTF_8))));
        } catch (InvalidInputException e) {
            throw new AssertionError("test policy does not parse: " + e.problems(), e);
        }
    }

    // ---------------------------------------------------------------- facts

    static NodeFact node(Map<String, String> labels, String safeMode, String kernel, int release, long allocatableMillis) {
        return new NodeFact("node-a", labels, safeMode, kernel, release, allocatableMillis);
    }

    static NodeFact node() {
        return node(Map.of("kubernetes.io/hostname", "node-a"), null, KERNEL, 6012, 8000);
    }

    static NodeFact nodeWithKernel(String kernel, int release) {
        return node(Map.of(), null, kernel, release, 8000);
    }

    /** A running pod on node-a with no tier label and no CPU limit; pc null means no PriorityClass. */
    static PodFact pod(String name, QosClass qos, long priority, String pc) {
        return new PodFact("uid-" + name, "ns", name, "node-a", "Running", qos, priority, pc != null, pc, null, -1, 0,
                "cgroup/" + name, false);
    }

    static PodFact labelled(PodFact p, String tier) {
        return new PodFact(p.uid(), p.namespace(), p.name(), p.nodeName(), p.phase(), p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), tier, p.cpuLimitMillis(), p.cpuRequestMillis(), p.cgroup(), p.terminating());
    }

    static PodFact phase(PodFact p, String phase) {
        return new PodFact(p.uid(), p.namespace(), p.name(), p.nodeName(), phase, p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), p.tierLabel(), p.cpuLimitMillis(), p.cpuRequestMillis(), p.cgroup(), p.terminating());
    }

    static PodFact onNode(PodFact p, String nodeName) {
        return new PodFact(p.uid(), p.namespace(), p.name(), nodeName, p.phase(), p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), p.tierLabel(), p.cpuLimitMillis(), p.cpuRequestMillis(), p.cgroup(), p.terminating());
    }

    static PodFact limit(PodFact p, long cpuLimitMillis) {
        return new PodFact(p.uid(), p.namespace(), p.name(), p.nodeName(), p.phase(), p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), p.tierLabel(), cpuLimitMillis, p.cpuRequestMillis(), p.cgroup(), p.terminating());
    }

    static PodFact terminating(PodFact p) {
        return new PodFact(p.uid(), p.namespace(), p.name(), p.nodeName(), p.phase(), p.qosClass(), p.priority(),
                p.hasPriorityClass(), p.priorityClassName(), p.tierLabel(), p.cpuLimitMillis(), p.cpuRequestMillis(), p.cgroup(), true);
    }

    // ---------------------------------------------------------------- evaluation

    /** One evaluation, with the rules that fired in it (also recorded for the test class). */
    record Run(Decision decision, List<String> fired) {
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

    Run run(PolicySet policy, NodeFact node, PodFact... pods) {
        List<String> fired = new ArrayList<>();
        Set<String> firedHere = FIRED.computeIfAbsent(getClass(), c -> ConcurrentHashMap.newKeySet());
        Decision d = RuleEngine.get().evaluate(policy, node, List.of(pods), rule -> {
            firedHere.add(rule);
            fired.add(rule);
        });
        return new Run(d, fired);
    }

    Run run(String policyYaml, PodFact... pods) {
        return run(policy(policyYaml), node(), pods);
    }
}
