package codes.temper.auth;

/**
 * Who presents this bearer token? Implementations never log, store or repeat the token; a cache
 * keys by its digest.
 */
@FunctionalInterface
public interface Authenticator {

    /** @param token the bearer token as presented (never null or blank) */
    Authentication authenticate(String token);

    sealed interface Authentication permits Authenticated, Unauthenticated, Unavailable {
    }

    record Authenticated(User user) implements Authentication {
    }

    /** The token is not one this authenticator knows (HTTP 401). {@code why} never quotes it. */
    record Unauthenticated(String why) implements Authentication {
    }

    /** The token could not be checked now, e.g. the API server did not answer (HTTP 503). */
    record Unavailable(String why) implements Authentication {
    }

    /**
     * The first authenticator that knows the token decides; a token none knows is refused, and
     * when one of them could not check it the refusal says so (503, not 401: the token may be
     * good). Static tokens go first, so they work while the API server is away.
     */
    static Authenticator firstOf(Authenticator... chain) {
        return token -> {
            Unavailable unavailable = null;
            Unauthenticated last = new Unauthenticated("invalid token");
            for (Authenticator a : chain) {
                switch (a.authenticate(token)) {
                    case Authenticated ok -> {
                        return ok;
                    }
                    case Unavailable u -> unavailable = u;
                    case Unauthenticated u -> last = u;
                }
            }
            return unavailable != null ? unavailable : last;
        };
    }
}
