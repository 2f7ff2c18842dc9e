package codes.temper.rules;

/**
 * What the agent does with the node. The first four are the rules' decision, in order of
 * precedence (lowest number wins). The others are states only the agent reports, never voted by
 * the rules: it had nothing to decide on yet, or it decided to attach but runs a dry run. They
 * exist so that no surface (status, annotation, metrics, dashboard) has to borrow a decision's
 * name for a state that is not that decision: a node without a policy is not in safe mode, and a
 * dry run is not attached.
 */
public enum Mode {
    SAFE_MODE("safe-mode", 0),
    EXCLUDED("excluded", 1),
    UNSUPPORTED("unsupported", 2),
    ATTACH("attach", 3),
    /** The rules said attach; the dry-run driver computes every write and makes none: the node runs CFS. */
    DRY_RUN("dry-run", 10),
    /** Starting, or waiting for the first listing of the node and its pods: the node runs CFS. */
    PENDING("pending", 11),
    /** No policy revision has been loaded yet: nothing to decide by, the node runs CFS. */
    NO_POLICY("no-policy", 12),
    /** The agent cannot decide (its node is not found or reports no CPU, a pass failed): the node runs CFS. */
    DEGRADED("degraded", 13);

    private final String wire;
    private final int precedence;

    Mode(String wire, int precedence) {
        this.wire = wire;
        this.precedence = precedence;
    }

    /** The spelling in JSON, annotations and the status API. */
    public String wire() {
        return wire;
    }

    public int getPrecedence() {
        return precedence;
    }

    /** True for the modes the rules decide between (the others are the agent's own states). */
    public boolean decided() {
        return precedence <= ATTACH.precedence;
    }
}
