package codes.temper.controller;

import codes.temper.kube.NodeStatusWriter;
import codes.temper.kube.crd.NodeMode;
import codes.temper.kube.crd.NodeState;
import codes.temper.kube.crd.TemperPolicyStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One policy's view of the fleet, counted node by node: how many nodes it selects, what it asks
 * of them, what their agents report, and the first few that need an operator's look. Bounded
 * whatever the fleet's size, so the status stays small at 5,000 nodes and more.
 */
final class PolicyTally {

    /** Where no agent has written temper.codes/agent-status (none runs there, or it has not started). */
    static final String NO_AGENT = "none";
    private static final int MAX_STATUS_CHARS = 200;

    private int selected, safeModeRequested, released, attentionTotal;
    private final Map<String, Integer> agents = new TreeMap<>();
    private final List<NodeState> attention = new ArrayList<>();

    /** Counts one selected node; nodes come in name order, so the list keeps the first by name. */
    void add(String node, NodeMode asked, String rule, Map<String, String> annotations) {
        selected++;
        if (asked == NodeMode.SAFE_MODE_REQUESTED) safeModeRequested++;
        else released++;
        String status = annotations.get(NodeStatusWriter.STATUS_ANNOTATION);
        agents.merge(reported(status), 1, Integer::sum);
        String why = why(asked, status, annotations);
        if (why == null) return;
        attentionTotal++;
        if (attention.size() < TemperPolicyStatus.ATTENTION_LIMIT) {
            attention.add(new NodeState(node, asked, rule, status == null ? null : cut(status), why));
        }
    }

    void writeTo(TemperPolicyStatus s) {
        s.setSelectedNodes(selected);
        s.setSafeModeRequested(safeModeRequested);
        s.setReleased(released);
        s.setAgents(agents);
        s.setAttentionTotal(attentionTotal);
        s.setAttention(new ArrayList<>(attention));
    }

    /** The mode an agent-status annotation reports: its word before the reason (degraded:..., excluded:...). */
    static String reported(String status) {
        if (status == null || status.isBlank()) return NO_AGENT;
        int colon = status.indexOf(':');
        return colon < 0 ? status : status.substring(0, colon);
    }

    /**
     * Why a node needs attention, or null. Asked for safe mode and not there yet: a fleet toggle
     * in progress shows here until the last agent has stood down. Released but reporting safe
     * mode: someone else's request holds it (an operator's annotation, the agent's API or file).
     * Degraded or unsupported: the agent cannot do what any policy asks.
     */
    static String why(NodeMode asked, String status, Map<String, String> annotations) {
        String reported = reported(status);
        if (asked == NodeMode.SAFE_MODE_REQUESTED && !reported.equals("safe-mode")) {
            return "safe mode asked; " + (status == null ? "no temper agent has reported on this node" : "the agent reports " + reported);
        }
        if (reported.equals("degraded") || reported.equals("unsupported")) return "the agent reports " + reported;
        if (asked == NodeMode.RELEASED && reported.equals("safe-mode")) {
            String by = annotations.get(SafeModeAnnotations.REQUESTED_BY);
            boolean annotated = "true".equals(annotations.get(SafeModeAnnotations.REQUESTED));
            return annotated && (by == null || !by.startsWith(SafeModeAnnotations.OWNER_PREFIX))
                    ? "released by this policy, held in safe mode by an operator's annotation"
                    : "released by this policy, held in safe mode by a request on the node (the agent's API or file)";
        }
        return null;
    }

    private static String cut(String s) {
        return s.length() <= MAX_STATUS_CHARS ? s : s.substring(0, MAX_STATUS_CHARS - 1) + "…";
    }
}
