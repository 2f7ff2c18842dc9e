package codes.temper.auth;

import codes.temper.auth.Authenticator.Authenticated;
import codes.temper.auth.Authenticator.Unauthenticated;
import codes.temper.auth.Authorizer.Allowed;
import codes.temper.auth.Authorizer.Denied;
import java.util.Locale;

/**
 * The pair that guards an endpoint: an {@link Authenticator} says who presents the bearer token,
 * an {@link Authorizer} whether that user may do what the endpoint does. Knows nothing of HTTP
 * servers, so the agent's status API and the controller's fleet page share it; the caller maps
 * each {@link Result} to its status code and its audit record.
 */
public final class Access {

    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final String description;
    /** The tokens known without asking anyone (the static token file), for {@link #identify}. */
    private final StaticTokens local;

    public Access(Authenticator authenticator, Authorizer authorizer, String description) {
        this(authenticator, authorizer, description, StaticTokens.none());
    }

    Access(Authenticator authenticator, Authorizer authorizer, String description, StaticTokens local) {
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.description = description;
        this.local = local;
    }

    /** Standalone: the static token file only (none configured: every request refused). */
    public static Access staticTokens(StaticTokens tokens) {
        return new Access(tokens, Authorizer.staticTokensOr(Authorizer.denyAll("only static tokens are accepted here")),
                tokens.toString(), tokens);
    }

    public sealed interface Result permits Granted, NotAuthenticated, Forbidden, Unavailable {
    }

    public record Granted(User user) implements Result {
    }

    /** HTTP 401: no token, not a bearer token, or a token nobody knows. */
    public record NotAuthenticated(String why) implements Result {
    }

    /** HTTP 403: the user is known and may not do this. */
    public record Forbidden(User user, String why) implements Result {
    }

    /** HTTP 503: the token or the permission could not be checked now; {@code user} is null when the token could not. */
    public record Unavailable(User user, String why) implements Result {
    }

    /** @param authorization the request's {@code Authorization} header, or null */
    public Result check(String authorization, ResourceAttributes what) {
        if (authorization == null || authorization.isBlank()) {
            return new NotAuthenticated("missing bearer token (Authorization: Bearer <token>)");
        }
        String[] parts = authorization.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer") || parts[1].isBlank()) {
            return new NotAuthenticated("expected Authorization: Bearer <token>");
        }
        User user;
        switch (authenticator.authenticate(parts[1].strip())) {
            case Authenticated a -> user = a.user();
            case Unauthenticated u -> {
                return new NotAuthenticated(u.why());
            }
            case Authenticator.Unavailable u -> {
                return new Unavailable(null, u.why());
            }
        }
        return switch (authorizer.authorize(user, what)) {
            case Allowed a -> new Granted(user);
            case Denied d -> new Forbidden(user, d.why());
            case Authorizer.Unavailable u -> new Unavailable(user, u.why());
        };
    }

    /**
     * Who presents this {@code Authorization} header, as far as that is known without asking the
     * API server (a static token): for naming the actor of a request refused before its token is
     * reviewed. Null otherwise.
     */
    public User identify(String authorization) {
        if (authorization == null || !local.configured()) return null;
        String[] parts = authorization.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].toLowerCase(Locale.ROOT).equals("bearer") || parts[1].isBlank()) return null;
        return local.authenticate(parts[1].strip()) instanceof Authenticated a ? a.user() : null;
    }

    /** May the (already authenticated) user also do {@code what}? For a page deciding which buttons to offer. */
    public boolean allows(User user, ResourceAttributes what) {
        return authorizer.authorize(user, what) instanceof Allowed;
    }

    @Override
    public String toString() {
        return description;
    }
}
