package codes.temper.api;

import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /safe-mode}: {@code {"enabled": true|false, "reason": "..."}}, the reason
 * required both ways (it is what the audit trail and the node's Event say). Parsed by
 * hand from a tree rather than bound to the record so every refusal can name the field, and so a
 * typo ({@code "enable"}) is refused instead of silently meaning "field missing".
 */
record SafeModeRequest(boolean enabled, String reason) {

    static final int MAX_REASON = 500;
    private static final Set<String> FIELDS = Set.of("enabled", "reason");
    private static final String SHAPE = "expected {\"enabled\": true|false, \"reason\": \"...\"}";

    static SafeModeRequest parse(String body) {
        if (body == null || body.isBlank()) {
            throw ApiError.badRequest("empty request body; " + SHAPE);
        }
        JsonNode root;
        try {
            root = ApiJson.MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw ApiError.badRequest("request body is nested deeper than " + ApiJson.MAX_BODY_DEPTH
                    + " levels or has a value too long; " + SHAPE);
        } catch (JacksonException e) {
            // Jackson's message quotes the input and names Java types: not for clients. Its
            // location can be absent (a limit hit before a token): then none is given.
            var at = e.getLocation();
            throw ApiError.badRequest("request body is not valid JSON"
                    + (at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + "; " + SHAPE);
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object; " + SHAPE);
        }
        for (String name : root.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw ApiError.badRequest("unknown field \"" + clip(name) + "\"; " + SHAPE);
            }
        }
        JsonNode enabled = root.get("enabled");
        if (enabled == null || enabled.isNull()) {
            throw ApiError.badRequest("field \"enabled\" is required (true or false)");
        }
        if (!enabled.isBoolean()) {
            throw ApiError.badRequest("field \"enabled\" must be true or false, not a " + enabled.getNodeType().name().toLowerCase());
        }
        JsonNode reason = root.get("reason");
        if (reason == null || reason.isNull()) {
            throw ApiError.badRequest("field \"reason\" is required: say why (it goes to the audit trail and the node's Event)");
        }
        if (!reason.isString()) {
            throw ApiError.badRequest("field \"reason\" must be a string");
        }
        String text = reason.stringValue().strip();
        if (text.isEmpty()) {
            throw ApiError.badRequest("field \"reason\" is blank: say why (it goes to the audit trail and the node's Event)");
        }
        if (text.length() > MAX_REASON) {
            throw ApiError.badRequest("field \"reason\" is longer than " + MAX_REASON + " characters");
        }
        return new SafeModeRequest(enabled.booleanValue(), text);
    }

    String action() {
        return enabled ? "safe-mode.on" : "safe-mode.off";
    }

    private static String clip(String name) {
        return name.length() > 40 ? name.substring(0, 40) + "..." : name;
    }
}
