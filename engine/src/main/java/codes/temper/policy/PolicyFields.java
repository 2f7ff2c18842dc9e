package codes.temper.policy;

import codes.temper.yaml.NodeReader;
import java.util.LinkedHashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/** What every policy reader asks of a mapping: a required field, a map of strings. */
final class PolicyFields {
    private PolicyFields() {
    }

    static Node required(NodeReader r, Node parent, Map<String, NodeTuple> m, String key) {
        return required(r, parent, m, key, key);
    }

    /** The value of {@code key}, or null after reporting it missing at {@code parent} as {@code path}. */
    static Node required(NodeReader r, Node parent, Map<String, NodeTuple> m, String key, String path) {
        NodeTuple t = m.get(key);
        if (t == null) {
            r.problem(parent, path, "required field is missing");
            return null;
        }
        return t.getValueNode();
    }

    static Map<String, String> stringMap(NodeReader r, Node node, String path) {
        Map<String, NodeTuple> m = r.mapping(node, path, null);
        if (m == null) return null;
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, t) -> {
            String v = r.string(t.getValueNode(), NodeReader.join(path, k));
            if (v != null) out.put(k, v);
        });
        return out;
    }
}
