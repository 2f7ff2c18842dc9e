package codes.temper.policy;

import static codes.temper.policy.PolicyFields.required;

import codes.temper.sched.SchedulerConfig;
import codes.temper.yaml.NodeReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * The {@code spec} of a TierPolicy: the tiers in rank order (each read by {@link TierReader}), the
 * label override and its trusted namespaces, the default tier, and system work's floor. Fields of the policy as a whole
 * are read here; fields of one tier belong in {@link TierReader}.
 */
final class TierPolicyReader {
    static final Set<String> SPEC = Set.of("tiers", "allowLabelOverride", "labelOverrideNamespaces", "defaultTier", "system");
    static final Set<String> SYSTEM = Set.of("floor");

    // A Kubernetes namespace name: an RFC 1123 label.
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private TierPolicyReader() {
    }

    /** @return the policy, or null when anything in it had a problem (reported to {@code r}) or it has no name */
    static TierPolicy tierPolicy(NodeReader r, Node spec, String name) {
        Map<String, NodeTuple> s = r.mapping(spec, "spec", SPEC);
        if (s == null) return null;
        int before = r.problems().size();
        Node tiersNode = required(r, spec, s, "tiers", "spec.tiers");
        List<Node> items = tiersNode == null ? null : r.sequence(tiersNode, "spec.tiers");
        List<Tier> tiers = new ArrayList<>();
        Map<String, Node> seen = new LinkedHashMap<>();
        if (items != null) {
            if (items.isEmpty()) r.problem(tiersNode, "spec.tiers", "no tiers; at least one is required");
            // The scheduler's limit (its per-tier arrays), checked here so a revision that cannot be
            // applied is rejected with its file and line instead of failing on the node.
            if (items.size() > SchedulerConfig.MAX_TIERS) {
                r.problem(tiersNode, "spec.tiers", items.size() + " tiers; at most " + SchedulerConfig.MAX_TIERS + " are supported");
            }
            for (int i = 0; i < items.size(); i++) {
                Tier t = TierReader.tier(r, items.get(i), i, seen);
                if (t != null) tiers.add(t);
            }
        }
        boolean allowOverride = false;
        if (s.containsKey("allowLabelOverride")) {
            Boolean b = r.bool(s.get("allowLabelOverride").getValueNode(), "spec.allowLabelOverride");
            allowOverride = b != null && b;
        }
        Set<String> trusted = labelOverrideNamespaces(r, s, allowOverride);
        String defaultTier = tiers.isEmpty() ? null : tiers.getLast().name();
        if (s.containsKey("defaultTier")) {
            Node d = s.get("defaultTier").getValueNode();
            String dt = r.string(d, "spec.defaultTier");
            if (dt != null && !seen.containsKey(dt)) {
                r.problem(d, "spec.defaultTier", "no tier named \"" + dt + "\"; tiers are " + String.join(", ", seen.keySet()));
            }
            defaultTier = dt;
        }
        Floor systemFloor = Floor.DEFAULT;
        if (s.containsKey("system")) {
            Map<String, NodeTuple> sm = r.mapping(s.get("system").getValueNode(), "spec.system", SYSTEM);
            if (sm != null && sm.containsKey("floor")) systemFloor = TierReader.floor(r, sm.get("floor").getValueNode(), "spec.system.floor", true);
        }
        if (systemFloor != null) floorsFit(r, s, tiers, systemFloor);
        if (r.problems().size() > before || name == null || systemFloor == null) return null;
        return new TierPolicy(name, tiers, allowOverride, trusted, defaultTier, systemFloor);
    }

    /** The floors written as shares of the node must leave the node something: at most 100 % in all. */
    private static void floorsFit(NodeReader r, Map<String, NodeTuple> spec, List<Tier> tiers, Floor systemFloor) {
        double sum = systemFloor.kind() == Floor.Kind.CORES ? 0 : systemFloor.percent(true);
        for (Tier t : tiers) {
            if (t.rank() > 0 && t.floor().kind() != Floor.Kind.CORES) sum += t.floor().percent(false);
        }
        if (sum > 100 + 1e-9 && spec.containsKey("tiers")) {
            r.problem(spec.get("tiers").getKeyNode(), "spec.tiers", "the floors of the tiers below the first and of system work add up to "
                    + Ceiling.number(Math.round(sum * 100) / 100.0) + "% of the node; at most 100% can be kept for them");
        }
    }

    /**
     * The namespaces trusted to place a pod in any tier by its label. Turning overrides on
     * without naming them is refused: "any pod owner may promote their own pod" must never be
     * what a single boolean means. Naming them while overrides are off is refused too, as a
     * setting that does nothing would mislead its reader.
     */
    private static Set<String> labelOverrideNamespaces(NodeReader r, Map<String, NodeTuple> spec, boolean allowOverride) {
        NodeTuple t = spec.get("labelOverrideNamespaces");
        if (t == null) {
            if (allowOverride) {
                r.problem(spec.get("allowLabelOverride").getValueNode(), "spec.allowLabelOverride",
                        "true needs spec.labelOverrideNamespaces, the namespaces trusted to pick any tier by the label "
                                + "temper.codes/tier (elsewhere a label may only lower a pod's tier)");
            }
            return Set.of();
        }
        String field = "spec.labelOverrideNamespaces";
        if (!allowOverride) {
            r.problem(t.getKeyNode(), field, "has no effect unless spec.allowLabelOverride is true");
        }
        List<Node> items = r.sequence(t.getValueNode(), field);
        if (items == null) return Set.of();
        if (items.isEmpty()) r.problem(t.getValueNode(), field, "empty; name at least one namespace, or turn spec.allowLabelOverride off");
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String at = field + "[" + i + "]";
            String ns = r.string(items.get(i), at);
            if (ns == null) continue;
            if (!NAMESPACE.matcher(ns).matches()) {
                r.problem(items.get(i), at, "\"" + ns + "\" is not a namespace name (lowercase letters, digits and '-', at most 63)");
            } else if (!out.add(ns)) {
                r.problem(items.get(i), at, "duplicate namespace \"" + ns + "\"");
            }
        }
        return out;
    }
}
