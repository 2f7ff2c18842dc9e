package codes.temper.kube.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * One rule of a {@link TemperPolicy}. The reason travels to the node's
 * {@code temper.codes/safe-mode-reason} annotation, so an operator looking at a node in safe mode
 * learns why without finding the policy: hence it is mandatory when {@code safeMode} is true
 * (checked by the API server through the CEL rule, and again by the controller for API servers
 * that do not evaluate CEL).
 */
@ValidationRule(value = "!self.safeMode || (has(self.reason) && size(self.reason.trim()) > 0)",
        message = "reason must be non-empty when safeMode is true")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SafeModeRule(
        @Required @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$") @Size(min = 1, max = 63)
        @JsonPropertyDescription("Name of the rule, unique within the policy; shown in node annotations and status.")
        String name,
        @Required
        @JsonPropertyDescription("Nodes this rule applies to; an empty selector selects every node.")
        LabelSelector nodeSelector,
        @Required
        @JsonPropertyDescription("true: ask the selected nodes to stand the scheduler down.")
        boolean safeMode,
        @Size(max = 1024)
        @JsonPropertyDescription("Why; required when safeMode is true. Copied to temper.codes/safe-mode-reason.")
        String reason,
        @Size(max = 253)
        @JsonPropertyDescription("Optional: the rule selects only the node of this name (and only if nodeSelector also"
                + " matches it). Node names are not labels, and kubernetes.io/hostname is not always the node's name;"
                + " the fleet page's one-node toggle uses this.")
        String nodeName) {

    /** A rule over labels only, as most policies are written. */
    public SafeModeRule(String name, LabelSelector nodeSelector, boolean safeMode, String reason) {
        this(name, nodeSelector, safeMode, reason, null);
    }
}
