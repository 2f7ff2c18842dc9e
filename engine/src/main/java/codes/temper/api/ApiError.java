package codes.temper.api;

/**
 * A refusal with the HTTP status and the message the client sees as {@code {"error": ...}}. The
 * message is written for the caller, so it must never carry a token or a stack trace.
 */
final class ApiError extends RuntimeException {

    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    static ApiError unauthorized(String message) {
        return new ApiError(401, message);
    }

    static ApiError forbidden(String message) {
        return new ApiError(403, message);
    }

    static ApiError unavailable(String message) {
        return new ApiError(503, message);
    }
}
