package codes.temper.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Written by the controller only (status subresource). Its size does not grow with the fleet:
 * counts, and at most {@link #ATTENTION_LIMIT} nodes that need an operator's look. A list of every
 * selected node would reach the API server's object size limit (about 1.5 MB) near ten thousand
 * nodes, and every agent's mode change would rewrite it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TemperPolicyStatus {

    /** Nodes listed in {@link #getAttention()} at most; {@link #getAttentionTotal()} counts them all. */
    public static final int ATTENTION_LIMIT = 20;

    @JsonPropertyDescription("metadata.generation of the spec this status describes.")
    private Long observedGeneration;

    @PrinterColumn(name = "Selected", priority = 0)
    @JsonPropertyDescription("Nodes selected by at least one rule.")
    private int selectedNodes;

    @PrinterColumn(name = "Safe-Mode-Requested")
    @JsonPropertyDescription("Selected nodes this policy asks to hold in safe mode.")
    private int safeModeRequested;

    @JsonPropertyDescription("Selected nodes only release rules select: this policy does not hold them in safe mode.")
    private int released;

    @JsonPropertyDescription("Selected nodes by the mode their agent reports in temper.codes/agent-status (attached, safe-mode,"
            + " dry-run, excluded, unsupported, degraded), or none where no agent has reported.")
    private Map<String, Integer> agents = new TreeMap<>();

    @PrinterColumn(name = "Attention")
    @JsonPropertyDescription("Selected nodes whose state is not what this policy asks, or whose agent reports a problem.")
    private int attentionTotal;

    @Size(max = ATTENTION_LIMIT)
    @JsonPropertyDescription("The first nodes by name that need attention, at most 20; attentionTotal counts them all.")
    private List<NodeState> attention = new ArrayList<>();

    @JsonPropertyDescription("Valid: False lists the rules the controller ignores and why.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public int getSelectedNodes() {
        return selectedNodes;
    }

    public void setSelectedNodes(int selectedNodes) {
        this.selectedNodes = selectedNodes;
    }

    public int getSafeModeRequested() {
        return safeModeRequested;
    }

    public void setSafeModeRequested(int safeModeRequested) {
        this.safeModeRequested = safeModeRequested;
    }

    public int getReleased() {
        return released;
    }

    public void setReleased(int released) {
        this.released = released;
    }

    public Map<String, Integer> getAgents() {
        return agents;
    }

    public void setAgents(Map<String, Integer> agents) {
        this.agents = agents == null ? new TreeMap<>() : new TreeMap<>(agents);
    }

    public int getAttentionTotal() {
        return attentionTotal;
    }

    public void setAttentionTotal(int attentionTotal) {
        this.attentionTotal = attentionTotal;
    }

    public List<NodeState> getAttention() {
        return attention;
    }

    public void setAttention(List<NodeState> attention) {
        this.attention = attention == null ? new ArrayList<>() : attention;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions == null ? new ArrayList<>() : conditions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemperPolicyStatus s && Objects.equals(observedGeneration, s.observedGeneration)
                && selectedNodes == s.selectedNodes && safeModeRequested == s.safeModeRequested && released == s.released
                && agents.equals(s.agents) && attentionTotal == s.attentionTotal && attention.equals(s.attention)
                && conditions.equals(s.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, selectedNodes, safeModeRequested, released, agents, attentionTotal, attention, conditions);
    }
}
