package codes.temper.api;

import codes.temper.api.AuditEntry.Outcome;
import codes.temper.auth.Access;
import codes.temper.auth.ResourceAttributes;
import codes.temper.auth.User;
import io.javalin.http.Context;

/**
 * The door of the authenticated endpoints, the agent's and the controller's fleet page's alike.
 * The caller names what a request would do in Kubernetes terms (the agent: {@code get} or
 * {@code patch} on its Node; the fleet page: {@code list} or {@code patch} on nodes); a change
 * also needs the page's cross-site protection ({@link CrossSite}). Every refusal is
 * audited (peer address and why, never what was presented) before it is answered: 401 unknown
 * or missing token, 403 cross-site or not permitted, 503 when the API server could not check.
 * What an admitted change does is audited by its handler.
 */
final class Guard {

    static final String ANONYMOUS = "anonymous";

    private final Access access;
    private final CrossSite crossSite;
    private final AuditLog audit;

    Guard(Access access, CrossSite crossSite, AuditLog audit) {
        this.access = access;
        this.crossSite = crossSite;
        this.audit = audit;
    }

    /** @return the admitted user; throws an {@link ApiError} after auditing a refusal */
    User read(Context ctx, String action, ResourceAttributes what) {
        return admit(ctx, action, what);
    }

    /**
     * A state change: cross-site checks first (no API server call for a forged request), then the
     * permission. A request refused for its missing or foreign cross-site token (a script that
     * skipped GET /csrf-token) is audited as the owner of its bearer token when that is known
     * without a review (a static token); a cluster token is not reviewed for it.
     */
    User change(Context ctx, String action, ResourceAttributes what) {
        crossSite.browserRefusal(ctx.header("Sec-Fetch-Site"), ctx.header("Origin"), ctx.header("Host")).ifPresent(why -> {
            audit.record(ANONYMOUS, ctx.ip(), action, Outcome.REFUSED, why);
            throw ApiError.forbidden(why);
        });
        crossSite.tokenRefusal(ctx.header(CrossSite.HEADER)).ifPresent(why -> {
            User who = access.identify(ctx.header("Authorization"));
            String detail = who != null || ctx.header("Authorization") == null ? why
                    : why + " (its bearer token was not reviewed: a refused request costs no API server call)";
            audit.record(who == null ? ANONYMOUS : who.name(), ctx.ip(), action, Outcome.REFUSED, detail);
            throw ApiError.forbidden(why);
        });
        return admit(ctx, action, what);
    }

    /** Whether an admitted user may also do {@code what} (a page offers its toggle only then). */
    boolean may(User user, ResourceAttributes what) {
        return access.allows(user, what);
    }

    private User admit(Context ctx, String action, ResourceAttributes what) {
        return switch (access.check(ctx.header("Authorization"), what)) {
            case Access.Granted g -> g.user();
            case Access.NotAuthenticated n -> {
                audit.record(ANONYMOUS, ctx.ip(), action, Outcome.REFUSED, n.why());
                throw ApiError.unauthorized(n.why());
            }
            case Access.Forbidden f -> {
                audit.record(f.user().name(), ctx.ip(), action, Outcome.DENIED, f.why());
                throw ApiError.forbidden(f.why());
            }
            case Access.Unavailable u -> {
                audit.record(u.user() == null ? ANONYMOUS : u.user().name(), ctx.ip(), action,
                        u.user() == null ? Outcome.REFUSED : Outcome.DENIED, u.why());
                throw ApiError.unavailable(u.why());
            }
        };
    }
}
