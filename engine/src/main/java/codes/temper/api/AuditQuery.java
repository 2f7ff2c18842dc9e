package codes.temper.api;

/** The {@code ?limit=} of {@code GET /audit}. */
final class AuditQuery {

    private AuditQuery() {
    }

    static int limit(String param, int byDefault) {
        if (param == null || param.isBlank()) {
            return byDefault;
        }
        try {
            int n = Integer.parseInt(param.strip());
            if (n >= 1 && n <= AuditLog.DEFAULT_CAPACITY) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw ApiError.badRequest("query parameter \"limit\" must be a whole number from 1 to " + AuditLog.DEFAULT_CAPACITY);
    }
}
