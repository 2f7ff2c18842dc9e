package codes.temper.policy;

import static codes.temper.policy.PolicyFields.required;

import codes.temper.yaml.NodeReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * One entry of a TierPolicy's {@code spec.tiers}: its name, match entries, ceiling, floor, time
 * slice and preemption. Every per-tier field is read here, and nowhere else; a field added to a tier is added
 * to {@link #TIER}, read in {@link #tier}, and described in docs/schema (PolicySchemaTest holds the
 * schema to these sets).
 */
final class TierReader {
    static final Set<String> TIER = Set.of("name", "match", "ceiling", "sliceMs", "preempt", "floor");
    static final Set<String> MATCH = Set.of("priorityAtLeast", "priorityBelow", "qosClass", "noPriorityClass");
    static final Set<String> CEILING = Set.of("cpus");
    static final Set<String> FLOOR = Set.of("cpus");

    private static final Pattern CPUS = Pattern.compile("(-?\\d+(?:\\.\\d+)?)(%?)");

    private TierReader() {
    }

    /**
     * @param seen the tier names so far, each with where it was written (a duplicate names the first)
     * @return the tier, or null when any of its fields had a problem (reported to {@code r})
     */
    static Tier tier(NodeReader r, Node node, int rank, Map<String, Node> seen) {
        String path = "spec.tiers[" + rank + "]";
        Map<String, NodeTuple> t = r.mapping(node, path, TIER);
        if (t == null) return null;
        int before = r.problems().size();
        Node nameNode = required(r, node, t, "name", path + ".name");
        String name = nameNode == null ? null : r.string(nameNode, path + ".name");
        if (name != null) {
            if (!PolicyParser.NAME.matcher(name).matches() || name.length() > 63) {
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

    private static TierMatch match(NodeReader r, Node node, String path, String tier, int rank, int index) {
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

    /** The {@code cpus} of a ceiling or floor mapping, with its node for the problems' positions. */
    private record Cpus(Node node, String text) {}

    /** Reads the mapping at {@code path} and its required {@code cpus} as text; null after a problem. */
    private static Cpus cpus(NodeReader r, Node node, String path, Set<String> keys) {
        Map<String, NodeTuple> c = r.mapping(node, path, keys);
        if (c == null) return null;
        Node cn = required(r, node, c, "cpus", path + ".cpus");
        if (cn == null) return null;
        String text = r.scalarText(cn, path + ".cpus");
        return text == null ? null : new Cpus(cn, text);
    }

    private static Ceiling ceiling(NodeReader r, Node node, String path) {
        Cpus cpus = cpus(r, node, path, CEILING);
        if (cpus == null) return null;
        Node cn = cpus.node();
        String text = cpus.text();
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
    static Floor floor(NodeReader r, Node node, String path, boolean system) {
        Cpus cpus = cpus(r, node, path, FLOOR);
        if (cpus == null) return null;
        Node cn = cpus.node();
        String text = cpus.text();
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
}
