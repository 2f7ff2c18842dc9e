package codes.temper.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Written by the controller only (status subresource). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TemperPolicyStatus {

    @JsonPropertyDescription("metadata.generation of the spec this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Nodes selected by at least one rule, sorted by name.")
    private List<NodeState> nodes = new ArrayList<>();

    @JsonPropertyDescription("Valid: False lists the rules the controller ignores and why.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<NodeState> getNodes() {
        return nodes;
    }

    public void setNodes(List<NodeState> nodes) {
        this.nodes = nodes == null ? new ArrayList<>() : nodes;
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
                && nodes.equals(s.nodes) && conditions.equals(s.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, nodes, conditions);
    }
}
