package codes.temper.api;

import java.util.Set;

/**
 * The body of {@code POST /safe-mode}: {@code {"enabled": true|false, "reason": "..."}}, the reason
 * required both ways (it is what the audit trail and the node's Event say). Read by
 * {@link JsonBody}, which names the field in every refusal.
 */
record SafeModeRequest(boolean enabled, String reason) {

    static final int MAX_REASON = 500;
    private static final Set<String> FIELDS = Set.of("enabled", "reason");
    private static final String SHAPE = "expected {\"enabled\": true|false, \"reason\": \"...\"}";

    static SafeModeRequest parse(String body) {
        JsonBody b = JsonBody.parse(body, FIELDS, SHAPE);
        boolean enabled = b.requiredBoolean("enabled");
        return new SafeModeRequest(enabled, b.reason(MAX_REASON));
    }

    String action() {
        return enabled ? "safe-mode.on" : "safe-mode.off";
    }
}
