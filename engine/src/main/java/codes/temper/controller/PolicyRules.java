package codes.temper.controller;

import codes.temper.kube.crd.SafeModeRule;
import codes.temper.kube.crd.TemperPolicy;
import codes.temper.policy.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a policy's rules into {@link CompiledRule}s. A rule the API server should have refused
 * (its schema is not enforced everywhere: CEL needs Kubernetes 1.25+, and a mock or an old server
 * skips it) is left out and named in {@code problems}, so one bad rule never selects nodes by
 * accident and never hides the good rules beside it.
 */
record PolicyRules(String policy, List<CompiledRule> rules, List<String> problems) {

    static PolicyRules of(TemperPolicy p) {
        String policy = p.getMetadata().getName();
        List<CompiledRule> rules = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<SafeModeRule> spec = p.getSpec() == null || p.getSpec().getRules() == null
                ? List.of() : p.getSpec().getRules();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.size(); i++) {
            SafeModeRule r = spec.get(i);
            String where = "rules[" + i + "]";
            if (r == null || r.name() == null || r.name().isBlank()) {
                problems.add(where + ": name is required");
                continue;
            }
            where = "rule " + r.name();
            if (!names.add(r.name())) {
                problems.add(where + ": duplicate name");
                continue;
            }
            if (r.nodeSelector() == null) {
                problems.add(where + ": nodeSelector is required (use {} to select every node)");
                continue;
            }
            if (r.safeMode() && (r.reason() == null || r.reason().isBlank())) {
                problems.add(where + ": reason must be non-empty when safeMode is true");
                continue;
            }
            try {
                rules.add(new CompiledRule(policy, r.name(), selector(r.nodeSelector()),
                        r.nodeName() == null || r.nodeName().isBlank() ? null : r.nodeName().strip(), r.safeMode(),
                        r.reason() == null ? "" : r.reason().strip()));
            } catch (IllegalArgumentException e) {
                problems.add(where + ": nodeSelector: " + e.getMessage());
            }
        }
        return new PolicyRules(policy, List.copyOf(rules), List.copyOf(problems));
    }

    /** The API's rules for label selectors: In/NotIn need values, Exists/DoesNotExist none. */
    static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector s) {
        Map<String, String> labels = s.getMatchLabels() == null ? Map.of() : s.getMatchLabels();
        List<LabelSelector.Requirement> reqs = new ArrayList<>();
        for (LabelSelectorRequirement e : s.getMatchExpressions() == null
                ? List.<LabelSelectorRequirement>of() : s.getMatchExpressions()) {
            if (e.getKey() == null || e.getKey().isEmpty()) throw new IllegalArgumentException("expression without key");
            LabelSelector.Operator op;
            try {
                op = LabelSelector.Operator.valueOf(String.valueOf(e.getOperator()));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("unknown operator '" + e.getOperator() + "' for key " + e.getKey()
                        + " (In, NotIn, Exists, DoesNotExist)");
            }
            List<String> values = e.getValues() == null ? List.of() : e.getValues();
            boolean needsValues = op == LabelSelector.Operator.In || op == LabelSelector.Operator.NotIn;
            if (needsValues == values.isEmpty()) {
                throw new IllegalArgumentException(op + " on key " + e.getKey()
                        + (needsValues ? " needs at least one value" : " takes no values"));
            }
            reqs.add(new LabelSelector.Requirement(e.getKey(), op, values));
        }
        if (labels.containsValue(null)) throw new IllegalArgumentException("matchLabels with a null value");
        return new LabelSelector(labels, reqs);
    }
}
