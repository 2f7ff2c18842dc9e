package codes.temper.api;

import codes.temper.api.ApiAuth.Allowed;
import codes.temper.api.ApiAuth.Refused;
import codes.temper.api.AuditEntry.Outcome;
import io.javalin.http.Context;

/**
 * The door of the authenticated endpoints: admits a request with a valid bearer token, or
 * audits the refusal (peer address and why, never what was presented) and answers 401.
 */
final class Guard {

    static final String ANONYMOUS = "anonymous";

    private final ApiAuth auth;
    private final AuditLog audit;

    Guard(ApiAuth auth, AuditLog audit) {
        this.auth = auth;
        this.audit = audit;
    }

    /** @return the actor to record; throws a 401 {@link ApiError} after auditing the refusal */
    String admit(Context ctx, String action) {
        return switch (auth.authenticate(ctx.header("Authorization"))) {
            case Allowed a -> a.actor();
            case Refused r -> {
                audit.record(ANONYMOUS, ctx.ip(), action, Outcome.REFUSED, r.why());
                throw ApiError.unauthorized(r.why());
            }
        };
    }
}
