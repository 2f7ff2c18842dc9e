package codes.temper.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;

/**
 * One audited request: who, from where, what, when, and how it ended. Written as one JSON line.
 *
 * @param actor  the authenticated user: the name the API server's TokenReview gave
 *               ({@code system:serviceaccount:ns:sa}, an OIDC user, ...) or {@code token:<8 hex>}
 *               for a static token; {@code anonymous} when not authenticated
 * @param remote the peer's address as the server saw it (X-Forwarded-For is not trusted)
 * @param action what was asked, e.g. {@code safe-mode.on}
 * @param detail the caller's reason or why the request was refused
 */
public record AuditEntry(Instant time, String actor, String remote, String action, Outcome outcome, String detail) {

    public enum Outcome {
        /** done */
        OK,
        /** not authenticated, or a cross-site request */
        REFUSED,
        /** authenticated, and not authorised (or the authorisation could not be checked) */
        DENIED,
        /** authenticated but malformed */
        INVALID,
        /** accepted but the action threw */
        FAILED;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Anyone who reaches the port (or holds any token of the cluster) can cause these. */
        boolean refusal() {
            return this == REFUSED || this == DENIED;
        }
    }
}
