package codes.temper.controller;

import codes.temper.kube.NodeStatusWriter;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One page of the fleet page's node table, from nodes the caller already holds (the controller's
 * informer cache: a page load never lists nodes from the API server). Filtered by a label
 * selector server-side and cut into pages by name, so 5,000 nodes are never sent at once, and
 * counted per reported mode over every match, so the summary is right whatever page is shown.
 */
public final class FleetNodes {

    public static final int DEFAULT_LIMIT = 200;
    public static final int MAX_LIMIT = 1000;

    /**
     * One node as the page shows it.
     *
     * @param mode        the word of the agent's status ({@link PolicyTally#reported})
     * @param tiers       the tiers in force on the node as its agent reports them ({@code temper.codes/tiers}), or null
     * @param requested   the safe-mode-requested annotation's value, or null
     * @param requestedBy who asked: {@code controller/<policy>/<rule>}, or null for an operator's own annotation
     * @param lastChange  when the controller saw the agent-status change, or null (not since it started)
     */
    public record Row(String name, String mode, String agentStatus, String revision, String tiers, String requested, String requestedBy,
            String reason, Instant lastChange, Map<String, String> labels) {}

    /**
     * @param total   nodes in the cache
     * @param matched nodes the selector matches
     * @param modes   matched nodes per reported mode
     * @param next    the name to pass as {@code after} for the next page, or null on the last
     */
    public record Page(int total, int matched, Map<String, Integer> modes, List<Row> nodes, String next) {}

    private FleetNodes() {}

    /**
     * @param selector kubectl syntax, blank for every node
     * @param after    only nodes whose name sorts after this (the previous page's {@code next}), or null
     * @throws IllegalArgumentException for a bad selector or limit, saying which
     */
    public static Page page(List<Node> nodes, String selector, String after, int limit, Function<String, Instant> lastChange) {
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT);
        var compiled = PolicyRules.selector(SelectorText.parse(selector == null ? "" : selector.strip()));
        List<Node> matched = new ArrayList<>();
        Map<String, Integer> modes = new TreeMap<>();
        for (Node n : nodes) {
            Map<String, String> labels = orEmpty(n.getMetadata().getLabels());
            if (!compiled.matches(labels)) continue;
            matched.add(n);
            modes.merge(PolicyTally.reported(orEmpty(n.getMetadata().getAnnotations()).get(NodeStatusWriter.STATUS_ANNOTATION)), 1, Integer::sum);
        }
        matched.sort(Comparator.comparing(n -> n.getMetadata().getName()));
        List<Row> rows = new ArrayList<>(Math.min(limit, matched.size()));
        String next = null;
        for (Node n : matched) {
            String name = n.getMetadata().getName();
            if (after != null && name.compareTo(after) <= 0) continue;
            if (rows.size() == limit) {
                next = rows.getLast().name();
                break;
            }
            rows.add(row(n, lastChange.apply(name)));
        }
        return new Page(nodes.size(), matched.size(), modes, List.copyOf(rows), next);
    }

    /** How many of {@code nodes} a toggle's target selects. */
    static int count(List<Node> nodes, FleetToggle.Target t) {
        var compiled = PolicyRules.selector(t.selector());
        int n = 0;
        for (Node node : nodes) {
            if ((t.nodeName() == null || t.nodeName().equals(node.getMetadata().getName()))
                    && compiled.matches(orEmpty(node.getMetadata().getLabels()))) n++;
        }
        return n;
    }

    static Row row(Node n, Instant lastChange) {
        Map<String, String> a = orEmpty(n.getMetadata().getAnnotations());
        String status = a.get(NodeStatusWriter.STATUS_ANNOTATION);
        return new Row(n.getMetadata().getName(), PolicyTally.reported(status), status, a.get(NodeStatusWriter.REVISION_ANNOTATION),
                a.get(NodeStatusWriter.TIERS_ANNOTATION), a.get(SafeModeAnnotations.REQUESTED), a.get(SafeModeAnnotations.REQUESTED_BY), a.get(SafeModeAnnotations.REASON),
                lastChange, new TreeMap<>(orEmpty(n.getMetadata().getLabels())));
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
