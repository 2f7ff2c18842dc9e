package codes.temper.api;

import codes.temper.controller.FleetToggle;
import java.util.Locale;
import java.util.Set;

/**
 * The body of the fleet page's {@code POST /fleet/safe-mode}:
 * {@code {"scope": "node"|"selector"|"all", "node": "...", "selector": "...", "enabled": true|false, "reason": "..."}}.
 * Only the shape is checked here; whether the node, the selector and the reason are acceptable is
 * {@link FleetToggle}'s decision, with its own messages.
 */
final class FleetToggleRequest {

    private static final Set<String> FIELDS = Set.of("scope", "node", "selector", "enabled", "reason");
    private static final String SHAPE = "expected {\"scope\": \"node\"|\"selector\"|\"all\", \"node\": \"...\" (scope node),"
            + " \"selector\": \"...\" (scope selector), \"enabled\": true|false, \"reason\": \"...\"}";

    private FleetToggleRequest() {
    }

    static FleetToggle.Request parse(String body) {
        JsonBody b = JsonBody.parse(body, FIELDS, SHAPE);
        String scopeText = b.optionalString("scope");
        if (scopeText == null) throw ApiError.badRequest("field \"scope\" is required; " + SHAPE);
        FleetToggle.Scope scope = switch (scopeText.toLowerCase(Locale.ROOT)) {
            case "node" -> FleetToggle.Scope.NODE;
            case "selector" -> FleetToggle.Scope.SELECTOR;
            case "all" -> FleetToggle.Scope.ALL;
            default -> throw ApiError.badRequest("field \"scope\" must be node, selector or all");
        };
        String node = b.optionalString("node");
        String selector = b.optionalString("selector");
        if (scope != FleetToggle.Scope.NODE && node != null) throw ApiError.badRequest("field \"node\" goes with scope node only");
        if (scope != FleetToggle.Scope.SELECTOR && selector != null) throw ApiError.badRequest("field \"selector\" goes with scope selector only");
        boolean enabled = b.requiredBoolean("enabled");
        return new FleetToggle.Request(scope, node, selector, enabled, b.reason(FleetToggle.MAX_REASON));
    }
}
