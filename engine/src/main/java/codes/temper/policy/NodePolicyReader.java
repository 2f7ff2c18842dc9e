package codes.temper.policy;

import static codes.temper.policy.PolicyFields.required;
import static codes.temper.policy.PolicyFields.stringMap;

import codes.temper.yaml.NodeReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/** The {@code spec} of a NodePolicy: its exclusions, each with a node selector and a reason. */
final class NodePolicyReader {
    static final Set<String> SPEC = Set.of("exclusions");
    static final Set<String> EXCLUSION = Set.of("name", "nodeSelector", "reason", "requires");
    static final Set<String> SELECTOR = Set.of("matchLabels", "matchExpressions");
    static final Set<String> REQUIREMENT = Set.of("key", "operator", "values");

    /** An exclusion with where its name was written, for the cross-file duplicate check. */
    record Found(Exclusion exclusion, String file, Node at) {}

    private NodePolicyReader() {
    }

    /** Adds each valid exclusion to {@code out}; reports the others' problems to {@code r}. */
    static void nodePolicy(NodeReader r, Node spec, String policyName, List<Found> out) {
        Map<String, NodeTuple> s = r.mapping(spec, "spec", SPEC);
        if (s == null) return;
        Node exNode = required(r, spec, s, "exclusions", "spec.exclusions");
        List<Node> items = exNode == null ? null : r.sequence(exNode, "spec.exclusions");
        if (items == null) return;
        for (int i = 0; i < items.size(); i++) {
            String path = "spec.exclusions[" + i + "]";
            Node item = items.get(i);
            Map<String, NodeTuple> e = r.mapping(item, path, EXCLUSION);
            if (e == null) continue;
            int before = r.problems().size();
            Node nn = required(r, item, e, "name", path + ".name");
            String name = nn == null ? null : r.string(nn, path + ".name");
            Node rn = required(r, item, e, "reason", path + ".reason");
            String reason = rn == null ? null : r.string(rn, path + ".reason");
            if (reason != null && reason.isBlank()) r.problem(rn, path + ".reason", "must not be empty: the reason is shown to operators");
            Node sn = required(r, item, e, "nodeSelector", path + ".nodeSelector");
            LabelSelector sel = sn == null ? null : selector(r, sn, path + ".nodeSelector");
            boolean requiresCpuMax = false;
            if (e.containsKey("requires")) {
                Node qn = e.get("requires").getValueNode();
                String q = r.string(qn, path + ".requires");
                if (Exclusion.CPU_MAX_ENFORCEMENT.equals(q)) requiresCpuMax = true;
                else if (q != null) r.problem(qn, path + ".requires", "\"" + q + "\" is not a requirement; expected " + Exclusion.CPU_MAX_ENFORCEMENT
                        + " (the exclusion then holds only where the kernel's sched_ext cannot enforce cpu.max)");
            }
            if (r.problems().size() == before && name != null && policyName != null) {
                out.add(new Found(new Exclusion(policyName, name, sel, reason, requiresCpuMax), r.file(), nn));
            }
        }
    }

    private static LabelSelector selector(NodeReader r, Node node, String path) {
        Map<String, NodeTuple> s = r.mapping(node, path, SELECTOR);
        if (s == null) return null;
        if (s.isEmpty()) {
            r.problem(node, path, "empty selector would match every node; write matchLabels or matchExpressions");
            return null;
        }
        Map<String, String> labels = s.containsKey("matchLabels")
                ? stringMap(r, s.get("matchLabels").getValueNode(), path + ".matchLabels") : Map.of();
        List<LabelSelector.Requirement> reqs = new ArrayList<>();
        if (s.containsKey("matchExpressions")) {
            List<Node> items = r.sequence(s.get("matchExpressions").getValueNode(), path + ".matchExpressions");
            for (int i = 0; items != null && i < items.size(); i++) {
                LabelSelector.Requirement req = requirement(r, items.get(i), path + ".matchExpressions[" + i + "]");
                if (req != null) reqs.add(req);
            }
        }
        return labels == null ? null : new LabelSelector(labels, reqs);
    }

    private static LabelSelector.Requirement requirement(NodeReader r, Node node, String path) {
        Map<String, NodeTuple> q = r.mapping(node, path, REQUIREMENT);
        if (q == null) return null;
        Node kn = required(r, node, q, "key", path + ".key");
        String key = kn == null ? null : r.string(kn, path + ".key");
        Node on = required(r, node, q, "operator", path + ".operator");
        String opText = on == null ? null : r.string(on, path + ".operator");
        LabelSelector.Operator op = null;
        if (opText != null) {
            try {
                op = LabelSelector.Operator.valueOf(opText);
            } catch (IllegalArgumentException e) {
                r.problem(on, path + ".operator", "\"" + opText + "\" is not an operator; expected In, NotIn, Exists or DoesNotExist");
            }
        }
        List<String> values = new ArrayList<>();
        if (q.containsKey("values")) {
            List<Node> vs = r.sequence(q.get("values").getValueNode(), path + ".values");
            for (int i = 0; vs != null && i < vs.size(); i++) {
                String v = r.string(vs.get(i), path + ".values[" + i + "]");
                if (v != null) values.add(v);
            }
        }
        if (op != null) {
            boolean needsValues = op == LabelSelector.Operator.In || op == LabelSelector.Operator.NotIn;
            if (needsValues && values.isEmpty()) r.problem(node, path + ".values", "operator " + op + " needs at least one value");
            if (!needsValues && q.containsKey("values")) r.problem(q.get("values").getKeyNode(), path + ".values", "operator " + op + " takes no values");
        }
        return key == null || op == null ? null : new LabelSelector.Requirement(key, op, values);
    }
}
