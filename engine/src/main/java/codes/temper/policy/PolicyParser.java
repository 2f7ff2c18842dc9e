package codes.temper.policy;

import codes.temper.sched.SchedulerConfig;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.NodeReader;
import codes.temper.yaml.Problem;
import codes.temper.yaml.YamlLoader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Validates a set of policy files into one {@link PolicySet}, or reports every problem found.
 * All files are checked even after the first problem, and nothing is returned unless the whole
 * revision is valid: a revision applies whole or not at all.
 */
public final class PolicyParser {
    public static final String API_VERSION = "temper.codes/v1";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern CPUS = Pattern.compile("(-?\\d+(?:\\.\\d+)?)(%?)");

    // The fields allowed at each level. Package-private: PolicySchemaTest holds
    // docs/schema/temper-policy.schema.json to exactly these names.
    static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
    static final Set<String> METADATA = Set.of("name", "labels", "annotations");
    static final Set<String> TIER_POLICY_SPEC = Set.of("tiers", "allowLabelOverride", "labelOverrideNamespaces", "defaultTier", "system");
    static final Set<String> TIER = Set.of("name", "match", "ceiling", "sliceMs", "preempt", "floor");
    static final Set<String> SYSTEM = Set.of("floor");
    static final Set<String> FLOOR = Set.of("cpus");
    static final Set<String> MATCH = Set.of("priorityAtLeast", "priorityBelow", "qosClass", "noPriorityClass");
    static final Set<String> CEILING = Set.of("cpus");
    static final Set<String> NODE_POLICY_SPEC = Set.of("exclusions");
    static final Set<String> EXCLUSION = Set.of("name", "nodeSelector", "reason", "requires");
    static final Set<String> SELECTOR = Set.of("matchLabels", "matchExpressions");
    static final Set<String> REQUIREMENT = Set.of("key", "operator", "values");

    private final YamlLoader loader = new YamlLoader(Limits.POLICY);

    /** What one document contributed, with where it was, for cross-file checks. */
    private record Found<T>(T value, String file, Node at) {}

    public PolicySet parse(List<PolicyFile> files) throws InvalidInputException {
        List<Problem> problems = new ArrayList<>();
        List<Found<TierPolicy>> tierPolicies = new ArrayList<>();
        List<Found<Exclusion>> exclusions = new ArrayList<>();
        List<PolicyFile> policyFiles = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (PolicyFile f : files) {
            List<Node> docs;
            try {
                docs = loader.load(f.name(), f.content());
            } catch (InvalidInputException e) {
                problems.addAll(e.problems());
                continue;
            }
            String foreign = ForeignFile.describe(docs);
            if (foreign != null) {
                // A kustomization.yaml or a ConfigMap beside the policies is not a mistake in them.
                notes.add(f.name() + ": skipped, not a Temper policy (" + foreign + ")");
                continue;
            }
            policyFiles.add(f);
            NodeReader r = new NodeReader(f.name(), problems, Limits.POLICY);
            for (Node doc : docs) document(r, doc, tierPolicies, exclusions);
        }
        if (files.isEmpty()) {
            problems.add(new Problem("(policy root)", 1, 1, "", "no policy files (*.yaml, *.yml) found"));
        } else if (policyFiles.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(files.getFirst().name(), 1, 1, "", "no Temper policy file (apiVersion " + API_VERSION
                    + ") in this revision; " + String.join("; ", notes)));
        } else if (tierPolicies.isEmpty() && problems.isEmpty()) {
            problems.add(new Problem(files.getFirst().name(), 1, 1, "", "no TierPolicy in this revision; exactly one is required"));
        }
        for (int i = 1; i < tierPolicies.size(); i++) {
            Found<TierPolicy> first = tierPolicies.getFirst(), dup = tierPolicies.get(i);
            problems.add(new Problem(dup.file(), NodeReader.line(dup.at()), NodeReader.column(dup.at()), "kind",
                    "a second TierPolicy; a revision has exactly one (first in " + first.file() + ":" + NodeReader.line(first.at()) + ")"));
        }
        Map<String, Found<Exclusion>> byName = new HashMap<>();
        for (Found<Exclusion> e : exclusions) {
            Found<Exclusion> first = byName.putIfAbsent(e.value().name(), e);
            if (first != null) {
                problems.add(new Problem(e.file(), NodeReader.line(e.at()), NodeReader.column(e.at()), "spec.exclusions[].name",
                        "duplicate exclusion \"" + e.value().name() + "\" (first in " + first.file() + ":" + NodeReader.line(first.at()) + ")"));
            }
        }
        if (!problems.isEmpty()) throw new InvalidInputException(problems);
        return new PolicySet(tierPolicies.getFirst().value(), exclusions.stream().map(Found::value).toList(),
                policyFiles.stream().map(PolicyFile::name).toList(), PolicySet.digest(policyFiles), notes);
    }

    private void document(NodeReader r, Node doc, List<Found<TierPolicy>> tierPolicies, List<Found<Exclusion>> exclusions) {
        Map<String, NodeTuple> top = r.mapping(doc, "", TOP);
        if (top == null) return;
        String apiVersion = required(r, doc, top, "apiVersion") instanceof Node n ? r.string(n, "apiVersion") : null;
        if (apiVersion != null && !apiVersion.equals(API_VERSION)) {
            r.problem(top.get("apiVersion").getValueNode(), "apiVersion", "unsupported apiVersion \"" + apiVersion + "\"; expected " + API_VERSION);
        }
        Node kindNode = required(r, doc, top, "kind");
        String kind = kindNode == null ? null : r.string(kindNode, "kind");
        String name = metadata(r, doc, top);
        Node spec = required(r, doc, top, "spec");
        if (kind == null) return;
        switch (kind) {
            case "TierPolicy" -> {
                TierPolicy tp = spec == null ? null : tierPolicy(r, spec, name);
                if (tp != null) tierPolicies.add(new Found<>(tp, r.file(), kindNode));
            }
            case "NodePolicy" -> {
                if (spec != null) nodePolicy(r, spec, name, exclusions);
            }
            default -> r.problem(kindNode, "kind", "unsupported kind \"" + kind + "\"; expected TierPolicy or NodePolicy"
                    + (kind.equals("PolicyTest") ? " (policy tests belong in tests/)" : ""));
        }
    }

    private String metadata(NodeReader r, Node doc, Map<String, NodeTuple> top) {
        Node md = required(r, doc, top, "metadata");
        if (md == null) return null;
        Map<String, NodeTuple> m = r.mapping(md, "metadata", METADATA);
        if (m == null) return null;
        for (String k : List.of("labels", "annotations")) {
            if (m.containsKey(k)) stringMap(r, m.get(k).getValueNode(), "metadata." + k);
        }
        Node n = required(r, md, m, "name", "metadata.name");
        String name = n == null ? null : r.string(n, "metadata.name");
        if (name != null && !NAME.matcher(name).matches()) {
            r.problem(n, "metadata.name", "\"" + name + "\" is not a valid name (lowercase letters, digits and '-')");
        }
        return name;
    }

    private TierPolicy tierPolicy(NodeReader r, Node spec, String name) {
        Map<String, NodeTuple> s = r.mapping(spec, "spec", TIER_POLICY_SPEC);
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
                Tier t = tier(r, items.get(i), i, seen);
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
            Node sys = s.get("system").getValueNode();
            Map<String, NodeTuple> sm = r.mapping(sys, "spec.system", SYSTEM);
            if (sm != null && sm.containsKey("floor")) systemFloor = floor(r, sm.get("floor").getValueNode(), "spec.system.floor", true);
        }
        if (systemFloor != null) floorsFit(r, s, tiers, systemFloor);
        if (r.problems().size() > before || name == null || systemFloor == null) return null;
        return new TierPolicy(name, tiers, allowOverride, trusted, defaultTier, systemFloor);
    }

    // A Kubernetes namespace name: an RFC 1123 label.
    private static final java.util.regex.Pattern NAMESPACE = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

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
        Set<String> out = new java.util.LinkedHashSet<>();
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

    private Tier tier(NodeReader r, Node node, int rank, Map<String, Node> seen) {
        String path = "spec.tiers[" + rank + "]";
        Map<String, NodeTuple> t = r.mapping(node, path, TIER);
        if (t == null) return null;
        int before = r.problems().size();
        Node nameNode = required(r, node, t, "name", path + ".name");
        String name = nameNode == null ? null : r.string(nameNode, path + ".name");
        if (name != null) {
            if (!NAME.matcher(name).matches() || name.length() > 63) {
                r.problem(nameNode, path + ".name", "\"" + name + "\" is not a valid tier name (lowercase letters, digits and '-', at most 63)");
            } else if (seen.containsKey(name)) {
                r.problem(nameNode, path + ".name", "duplicate tier \"" + name + "\" (first at line " + NodeReader.line(seen.get(name)) + ")");
            } else {
                seen.put(name, nameNode);
            }
        }
        List<TierMatch> matches = new ArrayList<>();
        if (t.containsKey("match")) {
            List<Node> ms = r.sequence(t.get("match").getValueNode(), path + ".match");
            if (ms != null) {
                for (int i = 0; i < ms.size(); i++) {
                    TierMatch m = match(r, ms.get(i), path + ".match[" + i + "]", name, rank, i);
                    if (m != null) matches.add(m);
                }
            }
        }
        Ceiling ceiling = t.containsKey("ceiling") ? ceiling(r, t.get("ceiling").getValueNode(), path + ".ceiling") : Ceiling.NONE;
        int sliceMs = 20;
        if (t.containsKey("sliceMs")) {
            Node sn = t.get("sliceMs").getValueNode();
            Long v = r.integer(sn, path + ".sliceMs");
            if (v != null && (v < 1 || v > 1000)) r.problem(sn, path + ".sliceMs", v + " is outside 1..1000 ms");
            else if (v != null) sliceMs = v.intValue();
        }
        boolean preempt = false;
        if (t.containsKey("preempt")) {
            Boolean b = r.bool(t.get("preempt").getValueNode(), path + ".preempt");
            preempt = b != null && b;
        }
        Floor floor = t.containsKey("floor") ? floor(r, t.get("floor").getValueNode(), path + ".floor", false) : Floor.DEFAULT;
        if (r.problems().size() > before || name == null || ceiling == null || floor == null) return null;
        return new Tier(name, rank, matches, ceiling, sliceMs, preempt, floor);
    }

    private TierMatch match(NodeReader r, Node node, String path, String tier, int rank, int index) {
        Map<String, NodeTuple> m = r.mapping(node, path, MATCH);
        if (m == null) return null;
        int before = r.problems().size();
        long min = Long.MIN_VALUE, below = Long.MAX_VALUE;
        QosClass qos = null;
        boolean noPc = false;
        if (m.containsKey("priorityAtLeast")) {
            Long v = r.integer(m.get("priorityAtLeast").getValueNode(), path + ".priorityAtLeast");
            if (v != null) min = v;
        }
        if (m.containsKey("priorityBelow")) {
            Long v = r.integer(m.get("priorityBelow").getValueNode(), path + ".priorityBelow");
            if (v != null) below = v;
        }
        if (min != Long.MIN_VALUE && below != Long.MAX_VALUE && min >= below) {
            r.problem(node, path, "priorityAtLeast " + min + " >= priorityBelow " + below + ": matches no pod");
        }
        if (m.containsKey("qosClass")) {
            Node qn = m.get("qosClass").getValueNode();
            String q = r.string(qn, path + ".qosClass");
            if (q != null) {
                try {
                    qos = QosClass.valueOf(q);
                } catch (IllegalArgumentException e) {
                    r.problem(qn, path + ".qosClass", "\"" + q + "\" is not a QoS class; expected Guaranteed, Burstable or BestEffort");
                }
            }
        }
        if (m.containsKey("noPriorityClass")) {
            Boolean b = r.bool(m.get("noPriorityClass").getValueNode(), path + ".noPriorityClass");
            noPc = b != null && b;
        }
        if (r.problems().size() > before || tier == null) return null;
        return new TierMatch(tier, rank, index, min, below, qos, noPc);
    }

    private Ceiling ceiling(NodeReader r, Node node, String path) {
        Map<String, NodeTuple> c = r.mapping(node, path, CEILING);
        if (c == null) return null;
        Node cn = required(r, node, c, "cpus", path + ".cpus");
        if (cn == null) return null;
        String text = r.scalarText(cn, path + ".cpus");
        if (text == null) return null;
        if (text.equals("quota")) return new Ceiling(Ceiling.Kind.QUOTA, 0);
        var m = CPUS.matcher(text.strip());
        if (!m.matches()) {
            r.problem(cn, path + ".cpus", "cannot parse \"" + text + "\"; expected a percentage (\"25%\"), cores (\"6\", \"1.5\") or \"quota\"");
            return null;
        }
        double v = Double.parseDouble(m.group(1));
        if (m.group(2).equals("%")) {
            if (v <= 0 || v > 100) {
                r.problem(cn, path + ".cpus", "\"" + text + "\" is outside (0, 100%]");
                return null;
            }
            return new Ceiling(Ceiling.Kind.SHARE, v);
        }
        if (v <= 0) {
            r.problem(cn, path + ".cpus", "\"" + text + "\" cores: must be positive");
            return null;
        }
        return new Ceiling(Ceiling.Kind.CORES, v);
    }

    /**
     * A floor: a share of the node ("1%", 0..100) or cores ("0.5", >= 0). Zero turns a tier's floor
     * off; system work must keep one, or kubelet and the container runtime could starve.
     */
    private Floor floor(NodeReader r, Node node, String path, boolean system) {
        Map<String, NodeTuple> c = r.mapping(node, path, FLOOR);
        if (c == null) return null;
        Node cn = required(r, node, c, "cpus", path + ".cpus");
        if (cn == null) return null;
        String text = r.scalarText(cn, path + ".cpus");
        if (text == null) return null;
        var m = CPUS.matcher(text.strip());
        if (!m.matches()) {
            r.problem(cn, path + ".cpus", "cannot parse \"" + text + "\"; expected a percentage (\"1%\") or cores (\"0.5\")");
            return null;
        }
        double v = Double.parseDouble(m.group(1));
        boolean share = m.group(2).equals("%");
        if (v < 0 || (share && v > 100)) {
            r.problem(cn, path + ".cpus", "\"" + text + "\" is outside " + (share ? "[0, 100%]" : "0 or more cores"));
            return null;
        }
        if (v == 0 && system) {
            r.problem(cn, path + ".cpus", "system work needs a floor above 0: kubelet and the container runtime would wait behind "
                    + "every saturating pod");
            return null;
        }
        return new Floor(share ? Floor.Kind.SHARE : Floor.Kind.CORES, v);
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

    private void nodePolicy(NodeReader r, Node spec, String policyName, List<Found<Exclusion>> out) {
        Map<String, NodeTuple> s = r.mapping(spec, "spec", NODE_POLICY_SPEC);
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
                out.add(new Found<>(new Exclusion(policyName, name, sel, reason, requiresCpuMax), r.file(), nn));
            }
        }
    }

    private LabelSelector selector(NodeReader r, Node node, String path) {
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

    private LabelSelector.Requirement requirement(NodeReader r, Node node, String path) {
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

    private Map<String, String> stringMap(NodeReader r, Node node, String path) {
        Map<String, NodeTuple> m = r.mapping(node, path, null);
        if (m == null) return null;
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, t) -> {
            String v = r.string(t.getValueNode(), NodeReader.join(path, k));
            if (v != null) out.put(k, v);
        });
        return out;
    }

    private static Node required(NodeReader r, Node parent, Map<String, NodeTuple> m, String key) {
        return required(r, parent, m, key, key);
    }

    private static Node required(NodeReader r, Node parent, Map<String, NodeTuple> m, String key, String path) {
        NodeTuple t = m.get(key);
        if (t == null) {
            r.problem(parent, path, "required field is missing");
            return null;
        }
        return t.getValueNode();
    }
}
