package codes.temper.kube.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One node a policy selects, and what the policy asks of it. */
public record NodeState(
        @JsonPropertyDescription("Node name.") String node,
        @JsonPropertyDescription("safe-mode-requested or released.") NodeMode mode,
        @JsonPropertyDescription("The rule that decided the mode.") String rule) {}
