package codes.temper.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Tells a file that is plainly not Temper's (a {@code kustomization.yaml}, a ConfigMap kept
 * beside the policies) from a Temper file that is broken. Only the first is skipped: every
 * document must declare an apiVersion of another API group and a kind that is not Temper's.
 * Anything in doubt (no apiVersion, a temper.codes apiVersion, a Temper kind under another
 * apiVersion, a document that is not a mapping) stays a policy file, so its mistakes are still
 * reported with file, line and field.
 */
final class ForeignFile {
    private static final String GROUP = "temper.codes/";
    private static final Set<String> TEMPER_KINDS = Set.of("TierPolicy", "NodePolicy", "PolicyTest");

    private ForeignFile() {
    }

    /** What the file is instead ("apiVersion x, kind Y"), or null when it may be a policy file. */
    static String describe(List<Node> docs) {
        if (docs.isEmpty()) return null;
        List<String> seen = new ArrayList<>();
        for (Node doc : docs) {
            if (!(doc instanceof MappingNode m)) return null;
            String apiVersion = scalar(m, "apiVersion"), kind = scalar(m, "kind");
            if (apiVersion == null || apiVersion.startsWith(GROUP) || kind != null && TEMPER_KINDS.contains(kind)) return null;
            String what = "apiVersion " + apiVersion + (kind == null ? "" : ", kind " + kind);
            if (!seen.contains(what)) seen.add(what);
        }
        return String.join("; ", seen);
    }

    private static String scalar(MappingNode m, String key) {
        for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return t.getValueNode() instanceof ScalarNode v ? v.getValue() : null;
            }
        }
        return null;
    }
}
