package codes.temper.kube.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One node a policy selects that needs attention: what the policy asks, what its agent says, and why it is listed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NodeState(
        @JsonPropertyDescription("Node name.") String node,
        @JsonPropertyDescription("safe-mode-requested or released.") NodeMode mode,
        @JsonPropertyDescription("The rule that decided the mode.") String rule,
        @JsonPropertyDescription("The node's temper.codes/agent-status annotation (cut to 200 characters), absent where no agent has reported.")
        String agentStatus,
        @JsonPropertyDescription("Why the node is listed.") String why) {}
