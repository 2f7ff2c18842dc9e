package codes.temper.kube.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** The desired state: rules evaluated against every node's labels. */
public class TemperPolicySpec {

    @Required
    @JsonPropertyDescription("Rules; a node is asked into safe mode when any rule with safeMode: true selects it.")
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
