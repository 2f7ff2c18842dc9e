package codes.temper.kube.crd;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a policy asks of one node it selects. */
public enum NodeMode {
    /** A rule with safeMode: true selects the node. */
    SAFE_MODE_REQUESTED("safe-mode-requested"),
    /** Only rules with safeMode: false select the node: this policy does not hold it in safe mode. */
    RELEASED("released");

    private final String wire;

    NodeMode(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }
}
