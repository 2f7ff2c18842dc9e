package codes.temper.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/**
 * One audited request.
 *
 * @param actor  {@code token:<8 hex>} when authenticated, {@code anonymous} otherwise
 * @param remote the peer's address as the server saw it (X-Forwarded-For is not trusted)
 * @param action what was asked, e.g. {@code safe-mode.on}
 * @param detail the caller's reason or why the request was refused
 */
public record AuditEntry(Instant time, String actor, String remote, String action, Outcome outcome, String detail) {

    public enum Outcome {
        /** done */
        OK,
        /** not authenticated */
        REFUSED,
        /** authenticated but malformed */
        INVALID,
        /** accepted but the action threw */
        FAILED;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
