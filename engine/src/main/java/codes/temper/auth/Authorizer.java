package codes.temper.auth;

/** May this user do this? */
@FunctionalInterface
public interface Authorizer {

    Verdict authorize(User user, ResourceAttributes what);

    sealed interface Verdict permits Allowed, Denied, Unavailable {
    }

    /** @param why the authoriser's reason, when it gives one (RBAC names the binding) */
    record Allowed(String why) implements Verdict {
    }

    /** HTTP 403. */
    record Denied(String why) implements Verdict {
    }

    /** The decision could not be made now (HTTP 503); never taken as an allow. */
    record Unavailable(String why) implements Verdict {
    }

    /**
     * Users of the static token file may do everything (they are the operator's own, standalone or
     * break-glass tokens, as {@code --api-tokens} always meant); everyone else is asked of
     * {@code others}.
     */
    static Authorizer staticTokensOr(Authorizer others) {
        return (user, what) -> user.source() == User.Source.STATIC_TOKEN
                ? new Allowed("a token of the static token file may do everything")
                : others.authorize(user, what);
    }

    /** Standalone: nobody but the static tokens' users, who never get here. */
    static Authorizer denyAll(String why) {
        return (user, what) -> new Denied(why);
    }
}
