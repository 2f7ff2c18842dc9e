package codes.temper.yaml;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed, located access to a composed YAML tree. Every accessor records a {@link Problem} and
 * returns {@code null} instead of throwing, so one pass over a file reports all of its problems.
 * Following an alias counts against a node budget, which bounds alias expansion.
 */
public final class NodeReader {
    private final String file;
    private final List<Problem> problems;
    private final int maxNodes;
    private long budget;

    public NodeReader(String file, List<Problem> problems, Limits limits) {
        this.file = file;
        this.problems = problems;
        this.maxNodes = limits.maxNodes();
        this.budget = maxNodes;
    }

    public String file() {
        return file;
    }

    public List<Problem> problems() {
        return problems;
    }

    public void problem(Node at, String field, String message) {
        problems.add(new Problem(file, line(at), column(at), field, message));
    }

    public static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    public static int column(Node n) {
        return n.getStartMark().map(m -> m.getColumn() + 1).orElse(1);
    }

    private boolean spend(Node at) {
        if (--budget >= 0) return true;
        // Reported for the whole file: where the count ran out (inside the anchored node that is
        // followed again and again) is not where anything is wrong.
        if (budget == -1) problems.add(new Problem(file, 1, 1, "",
                "more than " + maxNodes + " nodes to read once aliases are followed; refusing a possible YAML bomb"));
        return false;
    }

    /**
     * The entries of a mapping in file order, keyed by their string key. Reports a value that is
     * not a mapping, non-string keys, duplicate keys (with the first occurrence) and keys outside
     * {@code allowed} (pass {@code null} to allow any key).
     */
    public Map<String, NodeTuple> mapping(Node n, String field, Set<String> allowed) {
        if (!spend(n)) return null;
        if (!(n instanceof MappingNode m)) {
            problem(n, field, "expected a mapping, got " + describe(n));
            return null;
        }
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            Node k = t.getKeyNode();
            if (!(k instanceof ScalarNode ks)) {
                problem(k, field, "mapping keys must be plain strings");
                continue;
            }
            String key = ks.getValue();
            String path = join(field, key);
            NodeTuple first = out.get(key);
            if (first != null) {
                problem(k, path, "duplicate key (first defined at line " + line(first.getKeyNode()) + ")");
                continue;
            }
            if (allowed != null && !allowed.contains(key)) {
                problem(k, path, "unknown field; allowed here: " + String.join(", ", sorted(allowed)));
                continue;
            }
            out.put(key, t);
        }
        return out;
    }

    /**
     * The node at {@code path} below {@code root} (mapping keys as strings, list indexes as
     * integers), or the deepest one on the way that exists: where to point a problem found in
     * the data bound from that tree. Spends no budget: the tree was read once already.
     */
    public static Node find(Node root, Object... path) {
        Node at = root;
        for (Object step : path) {
            Node next = null;
            if (step instanceof String key && at instanceof MappingNode m) {
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) next = t.getValueNode();
                }
            } else if (step instanceof Integer i && at instanceof SequenceNode s && i >= 0 && i < s.getValue().size()) {
                next = s.getValue().get(i);
            }
            if (next == null) return at;
            at = next;
        }
        return at;
    }

    public List<Node> sequence(Node n, String field) {
        if (!spend(n)) return null;
        if (n instanceof SequenceNode s) return s.getValue();
        problem(n, field, "expected a list, got " + describe(n));
        return null;
    }

    public String string(Node n, String field) {
        if (!spend(n)) return null;
        if (n instanceof ScalarNode s && s.getTag().equals(Tag.STR)) return s.getValue();
        problem(n, field, "expected a string, got " + describe(n));
        return null;
    }

    /** A string, or a number written without quotes (for fields like {@code cpus: 6}). */
    public String scalarText(Node n, String field) {
        if (!spend(n)) return null;
        if (n instanceof ScalarNode s && (s.getTag().equals(Tag.STR) || s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT))) {
            return s.getValue();
        }
        problem(n, field, "expected a string or a number, got " + describe(n));
        return null;
    }

    public Long integer(Node n, String field) {
        if (!spend(n)) return null;
        if (n instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
            try {
                return Long.decode(s.getValue().replace("0o", "0").replace("+", ""));
            } catch (NumberFormatException e) {
                problem(n, field, "integer " + s.getValue() + " is out of range");
                return null;
            }
        }
        problem(n, field, "expected an integer, got " + describe(n));
        return null;
    }

    public Boolean bool(Node n, String field) {
        if (!spend(n)) return null;
        if (n instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) return Boolean.parseBoolean(s.getValue().toLowerCase());
        problem(n, field, "expected true or false, got " + describe(n));
        return null;
    }

    /**
     * Plain Java values (Map, List, String, Integer/Long/BigDecimal, Boolean, null) for handing a subtree to
     * a data binder. Duplicate keys are reported; the budget bounds alias expansion.
     */
    public Object toJava(Node n, String field) {
        if (!spend(n)) return null;
        return switch (n) {
            case ScalarNode s -> scalar(s);
            case SequenceNode s -> {
                List<Object> list = new ArrayList<>(s.getValue().size());
                int i = 0;
                for (Node item : s.getValue()) list.add(toJava(item, field + "[" + i++ + "]"));
                yield list;
            }
            case MappingNode m -> {
                Map<String, NodeTuple> entries = mapping(m, field, null);
                Map<String, Object> map = new HashMap<>();
                if (entries != null) entries.forEach((k, t) -> map.put(k, toJava(t.getValueNode(), join(field, k))));
                yield map;
            }
            default -> null;
        };
    }

    private static Object scalar(ScalarNode s) {
        Tag tag = s.getTag();
        String v = s.getValue();
        if (tag.equals(Tag.NULL)) return null;
        if (tag.equals(Tag.BOOL)) return Boolean.parseBoolean(v.toLowerCase());
        try {
            if (tag.equals(Tag.INT)) {
                // An Integer when it fits, as a JSON parser yields: fabric8's IntOrString (probe and
                // container ports) accepts only Integer or String and rejects a Long.
                long l = Long.decode(v.replace("0o", "0").replace("+", ""));
                return l == (int) l ? (Object) (int) l : (Object) l;
            }
            if (tag.equals(Tag.FLOAT)) return new BigDecimal(v);
        } catch (NumberFormatException e) {
            return v;
        }
        return v;
    }

    public static String describe(Node n) {
        return switch (n) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when s.getTag().equals(Tag.NULL) -> "nothing (null)";
            case ScalarNode s when s.getTag().equals(Tag.STR) -> "the string \"" + abbreviate(s.getValue()) + "\"";
            case ScalarNode s when s.getTag().equals(Tag.INT) -> "the integer " + abbreviate(s.getValue());
            case ScalarNode s when s.getTag().equals(Tag.FLOAT) -> "the number " + abbreviate(s.getValue());
            case ScalarNode s when s.getTag().equals(Tag.BOOL) -> "the boolean " + s.getValue();
            case ScalarNode s -> "\"" + abbreviate(s.getValue()) + "\"";
            default -> "an unsupported node";
        };
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }

    public static String join(String field, String key) {
        return field.isEmpty() ? key : field + "." + key;
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
