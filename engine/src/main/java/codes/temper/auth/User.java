package codes.temper.auth;

import java.util.List;
import java.util.Map;

/**
 * Who made a request, as an {@link Authenticator} established it: for a Kubernetes token, what the
 * API server's TokenReview said (user name, uid, groups); for a static token, the token's
 * {@code token:<8 hex>} name. This is what the audit trail records as the actor.
 *
 * @param uid    empty when the authenticator has none
 * @param extra  the TokenReview's extra attributes (a service account token's pod and node), passed
 *               on to the SubjectAccessReview as kube-rbac-proxy does
 * @param source which authenticator vouched for the user
 */
public record User(String name, String uid, List<String> groups, Map<String, List<String>> extra, Source source) {

    public enum Source {
        /** A token from the static token file ({@code --api-tokens}): the standalone and break-glass path. */
        STATIC_TOKEN,
        /** A bearer token the API server recognised (TokenReview). */
        TOKEN_REVIEW
    }

    public User {
        uid = uid == null ? "" : uid;
        groups = groups == null ? List.of() : List.copyOf(groups);
        extra = extra == null ? Map.of() : extra.entrySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(
                Map.Entry::getKey, e -> e.getValue() == null ? List.of() : List.copyOf(e.getValue())));
    }

    public User(String name, String uid, List<String> groups, Source source) {
        this(name, uid, groups, Map.of(), source);
    }
}
