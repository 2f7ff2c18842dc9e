package codes.temper.api;

import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;

/**
 * A small JSON request body read by hand from a tree rather than bound to a record, so every
 * refusal names the field and a typo ({@code "enable"}) is refused instead of silently meaning
 * "field missing". Shared by the agent's {@code POST /safe-mode} and the fleet page's toggle.
 */
final class JsonBody {

    private final JsonNode root;
    private final String shape;

    private JsonBody(JsonNode root, String shape) {
        this.root = root;
        this.shape = shape;
    }

    /** @param shape what a good body looks like, appended to the refusals */
    static JsonBody parse(String body, Set<String> fields, String shape) {
        if (body == null || body.isBlank()) {
            throw ApiError.badRequest("empty request body; " + shape);
        }
        JsonNode root;
        try {
            root = ApiJson.MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            throw ApiError.badRequest("request body is nested deeper than " + ApiJson.MAX_BODY_DEPTH
                    + " levels or has a value too long; " + shape);
        } catch (JacksonException e) {
            // Jackson's message quotes the input and names Java types: not for clients. Its
            // location can be absent (a limit hit before a token): then none is given.
            var at = e.getLocation();
            throw ApiError.badRequest("request body is not valid JSON"
                    + (at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + "; " + shape);
        }
        if (root == null || !root.isObject()) {
            throw ApiError.badRequest("request body must be a JSON object; " + shape);
        }
        for (String name : root.propertyNames()) {
            if (!fields.contains(name)) {
                throw ApiError.badRequest("unknown field \"" + clip(name) + "\"; " + shape);
            }
        }
        return new JsonBody(root, shape);
    }

    boolean requiredBoolean(String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            throw ApiError.badRequest("field \"" + field + "\" is required (true or false)");
        }
        if (!v.isBoolean()) {
            throw ApiError.badRequest("field \"" + field + "\" must be true or false, not a " + v.getNodeType().name().toLowerCase());
        }
        return v.booleanValue();
    }

    /** A string field, stripped; null when absent. */
    String optionalString(String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isString()) throw ApiError.badRequest("field \"" + field + "\" must be a string");
        return v.stringValue().strip();
    }

    /** The required reason: present, a string, not blank, at most {@code max} characters. */
    String reason(int max) {
        if (root.get("reason") == null || root.get("reason").isNull()) {
            throw ApiError.badRequest("field \"reason\" is required: say why (it goes to the audit trail and the Events)");
        }
        String text = optionalString("reason");
        if (text.isEmpty()) {
            throw ApiError.badRequest("field \"reason\" is blank: say why (it goes to the audit trail and the Events)");
        }
        if (text.length() > max) {
            throw ApiError.badRequest("field \"reason\" is longer than " + max + " characters");
        }
        return text;
    }

    String shape() {
        return shape;
    }

    private static String clip(String name) {
        return name.length() > 40 ? name.substring(0, 40) + "..." : name;
    }
}
