package codes.temper.cli;

import codes.temper.kube.NodeStatusWriter;
import codes.temper.rules.NodeFact;
import codes.temper.text.Printable;
import io.fabric8.kubernetes.api.model.Node;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code temper status}: the fleet as the agents report it on their Nodes. Only annotations are
 * read, so it needs no route to the agents' status ports and works with a role that may only
 * list nodes.
 *
 * @param nodes   one entry per node, by name
 * @param summary how many nodes are in each mode
 */
record FleetView(List<NodeView> nodes, Map<String, Long> summary) implements ListOutput.Listing {

    /** The mode of a node whose Node carries no agent-status: no agent has reported there (none runs, or it never started). */
    static final String UNKNOWN = "unknown";

    /** The state words an agent writes before the ':' of {@code temper.codes/agent-status} (DESIGN.md, "Interfaces"). */
    static final Set<String> MODES = Set.of("attached", "safe-mode", "excluded", "unsupported", "degraded", "dry-run");

    /** The controller's marker on a request it made; an operator's {@code kubectl annotate} has none. */
    static final String REQUESTED_BY = "temper.codes/safe-mode-requested-by";

    /**
     * @param mode              the state word of {@code agentStatus}, or {@code unknown}
     * @param reason            the text after the ':' of {@code agentStatus}, or null
     * @param agentStatus       {@code temper.codes/agent-status} as written, or null
     * @param policyRevision    {@code temper.codes/policy-revision}, or null before a policy was applied
     * @param safeModeRequested {@code temper.codes/safe-mode-requested} as written (any value but
     *                          {@code false} is a request), or null when absent
     * @param safeModeRequestedBy the controller rule that made the request, or null (an operator's, or none)
     */
    record NodeView(String name, String mode, String reason, String agentStatus, String policyRevision,
                    String safeModeRequested, String safeModeRequestedBy) {}

    static FleetView of(List<Node> nodes) {
        List<NodeView> views = nodes.stream().map(FleetView::node).sorted(Comparator.comparing(NodeView::name)).toList();
        Map<String, Long> summary = views.stream().collect(Collectors.groupingBy(NodeView::mode, TreeMap::new, Collectors.counting()));
        return new FleetView(views, summary);
    }

    private static NodeView node(Node n) {
        Map<String, String> a = n.getMetadata().getAnnotations() == null ? Map.of() : n.getMetadata().getAnnotations();
        String status = a.get(NodeStatusWriter.STATUS_ANNOTATION);
        String mode = UNKNOWN, reason = null;
        if (status != null) {
            int colon = status.indexOf(':');
            String word = colon < 0 ? status : status.substring(0, colon);
            if (MODES.contains(word)) {
                mode = word;
                reason = colon < 0 ? null : status.substring(colon + 1);
            } else {
                reason = "unrecognised agent-status";
            }
        }
        return new NodeView(n.getMetadata().getName(), mode, reason, status, a.get(NodeStatusWriter.REVISION_ANNOTATION),
                a.get(NodeFact.SAFE_MODE_ANNOTATION), a.get(REQUESTED_BY));
    }

    /** {@code -o name}: {@code node/<name>}, which kubectl takes as it is ({@code kubectl annotate $(temper status -o name) ...}). */
    @Override
    public List<String> names() {
        return nodes.stream().map(n -> "node/" + Printable.escape(n.name())).toList();
    }

    /**
     * For a terminal: annotations are written by whoever may patch a Node, so every field is
     * escaped before it is aligned. Wide adds the agent-status as written and which controller
     * rule made a safe-mode request.
     */
    @Override
    public void table(PrintWriter out, boolean wide, boolean headers) {
        List<String[]> rows = nodes.stream().map(n -> new String[] {n.name(), n.mode(), dash(n.policyRevision()),
                n.safeModeRequested() == null ? "-" : n.safeModeRequested() + (n.safeModeRequestedBy() == null ? "" : " (controller)"),
                dash(n.reason()), dash(n.agentStatus()), dash(n.safeModeRequestedBy())})
                .map(r -> java.util.Arrays.stream(r).map(Printable::escape).toArray(String[]::new)).toList();
        int w = Math.max(4, rows.stream().mapToInt(r -> r[0].length()).max().orElse(0));
        int rw = Math.max(8, rows.stream().mapToInt(r -> r[2].length()).max().orElse(0));
        int qw = Math.max(19, rows.stream().mapToInt(r -> r[3].length()).max().orElse(0));
        int sw = Math.max(6, rows.stream().mapToInt(r -> r[4].length()).max().orElse(0));
        int aw = Math.max(12, rows.stream().mapToInt(r -> r[5].length()).max().orElse(0));
        String format = "%-" + w + "s  %-11s  %-" + rw + "s  %-" + qw + "s  " + (wide ? "%-" + sw + "s  %-" + aw + "s  %s" : "%s");
        if (headers) {
            Object[] h = wide ? new Object[] {"NODE", "MODE", "REVISION", "SAFE-MODE-REQUESTED", "REASON", "AGENT-STATUS", "REQUESTED-BY"}
                    : new Object[] {"NODE", "MODE", "REVISION", "SAFE-MODE-REQUESTED", "REASON"};
            out.println(String.format(format, h).stripTrailing());
        }
        for (String[] r : rows) out.println(String.format(format, wide ? (Object[]) r : (Object[]) java.util.Arrays.copyOf(r, 5)).stripTrailing());
        if (headers) {
            out.println(nodes.size() + " node(s)" + (summary.isEmpty() ? "" : ": " + summary.entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))));
        }
        out.flush();
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
