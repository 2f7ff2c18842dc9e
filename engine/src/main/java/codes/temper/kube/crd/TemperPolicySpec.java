package codes.temper.kube.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** The desired state: rules evaluated against every node's labels. */
public class TemperPolicySpec {

    /**
     * At most {@value #MAX_RULES}: the API server estimates the cost of each rule's CEL validation
     * times the number of rules it may have to check, and refuses the CRD when that is unbounded
     * (kube-apiserver 1.36: "estimated rule cost exceeds budget by factor of 2.8x").
     */
    public static final int MAX_RULES = 100;

    @Required
    @Size(max = MAX_RULES)
    @JsonPropertyDescription("Rules (at most 100); a node is asked into safe mode when any rule with safeMode: true selects it.")
    private List<SafeModeRule> rules = new ArrayList<>();

    public TemperPolicySpec() {}

    public TemperPolicySpec(List<SafeModeRule> rules) {
        this.rules = new ArrayList<>(rules);
    }

    public List<SafeModeRule> getRules() {
        return rules;
    }

    public void setRules(List<SafeModeRule> rules) {
        this.rules = rules == null ? new ArrayList<>() : rules;
    }

    // Value equality lets the controller tell a spec change from a status-only update.
    @Override
    public boolean equals(Object o) {
        return o instanceof TemperPolicySpec s && rules.equals(s.rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }
}
