package codes.temper.controller;

import codes.temper.kube.crd.NodeMode;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.kube.crd.TemperPolicyStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The controller's one decision, as a pure function: all policies and all nodes in, the node
 * annotation changes and policy statuses that make the cluster match out. No I/O, so it is the
 * same whether triggered by an event, a resync or a test.
 */
final class SafeModePlanner {

    static final String CONDITION_VALID = "Valid";

    record Plan(List<NodePatch> nodePatches, Map<String, TemperPolicyStatus> statuses) {}

    /** Which rule wants a node in safe mode (the first by policy name, then rule order). */
    record Want(CompiledRule rule) {
        String owner() {
            return SafeModeAnnotations.owner(rule.policy(), rule.name());
        }
    }

    private final Clock clock;

    SafeModePlanner(Clock clock) {
        this.clock = clock;
    }

    Plan plan(List<TemperPolicy> policies, List<Node> nodes) {
        List<TemperPolicy> sortedPolicies = policies.stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
        List<PolicyRules> compiled = sortedPolicies.stream().map(PolicyRules::of).toList();
        List<Node> sortedNodes = nodes.stream().sorted(Comparator.comparing(n -> n.getMetadata().getName())).toList();

        List<NodePatch> patches = new ArrayList<>();
        Map<String, PolicyTally> tallies = new HashMap<>();
        for (Node node : sortedNodes) {
            Map<String, String> labels = orEmpty(node.getMetadata().getLabels());
            Map<String, String> annotations = orEmpty(node.getMetadata().getAnnotations());
            Want want = null;
            for (PolicyRules pr : compiled) {
                CompiledRule rule = deciding(pr, node.getMetadata().getName(), labels);
                if (rule == null) continue;
                NodeMode asked = rule.safeMode() ? NodeMode.SAFE_MODE_REQUESTED : NodeMode.RELEASED;
                tallies.computeIfAbsent(pr.policy(), k -> new PolicyTally()).add(node.getMetadata().getName(), asked, rule.name(), annotations);
                if (want == null && rule.safeMode()) want = new Want(rule);
            }
            Map<String, String> diff = annotationDiff(annotations, want);
            if (!diff.isEmpty()) {
                patches.add(new NodePatch(node.getMetadata().getName(), node.getMetadata().getResourceVersion(), diff));
            }
        }

        Map<String, TemperPolicyStatus> statuses = new LinkedHashMap<>();
        for (int i = 0; i < sortedPolicies.size(); i++) {
            TemperPolicy p = sortedPolicies.get(i);
            PolicyRules pr = compiled.get(i);
            statuses.put(pr.policy(), status(p, pr, tallies.getOrDefault(pr.policy(), new PolicyTally())));
        }
        return new Plan(List.copyOf(patches), statuses);
    }

    /** The rule that decides what one policy asks of a node: a safeMode rule wins over a release rule; null if none selects it. */
    private static CompiledRule deciding(PolicyRules pr, String node, Map<String, String> labels) {
        CompiledRule release = null;
        for (CompiledRule r : pr.rules()) {
            if (!r.selects(node, labels)) continue;
            if (r.safeMode()) return r;
            if (release == null) release = r;
        }
        return release;
    }

    /**
     * The changes that take a node's annotations from {@code current} to what {@code want} asks,
     * without ever touching a request someone else made: a safe-mode-requested without our
     * marker is an operator's, and it (with its reason) stays as it is, whatever the policies say.
     */
    static Map<String, String> annotationDiff(Map<String, String> current, Want want) {
        String requested = current.get(SafeModeAnnotations.REQUESTED);
        String by = current.get(SafeModeAnnotations.REQUESTED_BY);
        boolean ours = by != null && by.startsWith(SafeModeAnnotations.OWNER_PREFIX);
        if (requested != null && !ours) return Map.of();
        if (want == null && !ours) return Map.of();

        Map<String, String> target = new HashMap<>();
        if (want != null) {
            target.put(SafeModeAnnotations.REQUESTED, "true");
            target.put(SafeModeAnnotations.REQUESTED_BY, want.owner());
            target.put(SafeModeAnnotations.REASON, want.rule().reason());
        }
        Map<String, String> diff = new LinkedHashMap<>();
        for (String key : SafeModeAnnotations.ALL) {
            String desired = target.get(key);
            if (!Objects.equals(current.get(key), desired)) {
                diff.put(key, desired);
            }
        }
        return diff;
    }

    private TemperPolicyStatus status(TemperPolicy p, PolicyRules pr, PolicyTally tally) {
        TemperPolicyStatus s = new TemperPolicyStatus();
        s.setObservedGeneration(p.getMetadata().getGeneration());
        tally.writeTo(s);
        boolean valid = pr.problems().isEmpty();
        String status = valid ? "True" : "False";
        String message = valid ? pr.rules().size() + " rule(s) in force"
                : "ignored: " + String.join("; ", pr.problems());
        Condition previous = p.getStatus() == null ? null : p.getStatus().getConditions().stream()
                .filter(c -> CONDITION_VALID.equals(c.getType())).findFirst().orElse(null);
        // A transition time that moves on every pass would make every status write look new.
        String since = previous != null && status.equals(previous.getStatus()) && previous.getLastTransitionTime() != null
                ? previous.getLastTransitionTime()
                : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        s.setConditions(new ArrayList<>(List.of(new ConditionBuilder()
                .withType(CONDITION_VALID)
                .withStatus(status)
                .withReason(valid ? "RulesValid" : "InvalidRules")
                .withMessage(message)
                .withObservedGeneration(p.getMetadata().getGeneration())
                .withLastTransitionTime(since)
                .build())));
        return s;
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
