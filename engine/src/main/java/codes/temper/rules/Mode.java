package codes.temper.rules;

/** What the agent does with the node, in order of precedence (lowest number wins). */
public enum Mode {
    SAFE_MODE("safe-mode", 0),
    EXCLUDED("excluded", 1),
    UNSUPPORTED("unsupported", 2),
    ATTACH("attach", 3);

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
}
