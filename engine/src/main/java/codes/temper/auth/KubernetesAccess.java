package codes.temper.auth;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;

/**
 * Authentication and authorisation in a cluster, as kube-rbac-proxy does them: the bearer token
 * by a TokenReview, the action by a SubjectAccessReview, both answers cached briefly. The static
 * token file, when given, is asked first: its tokens work while the API server is away (entering
 * safe mode must not depend on it) and may do everything.
 */
public final class KubernetesAccess {

    /**
     * How long the API server's answers are kept. Denials and unknown tokens are kept shorter than
     * grants, so a binding just added takes effect soon; an unavailable answer is never kept.
     */
    public record Ttl(Duration authenticated, Duration unauthenticated, Duration allowed, Duration denied) {
        public static final Ttl DEFAULT = new Ttl(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(10));
    }

    private KubernetesAccess() {
    }

    /** @param staticTokens the static token file's tokens, or {@link StaticTokens#none()} */
    public static Access of(KubernetesClient client, StaticTokens staticTokens, Ttl ttl, Clock clock) {
        Authenticator reviews = new TokenReviewAuthenticator(client, ttl, clock);
        Authenticator authn = staticTokens.configured() ? Authenticator.firstOf(staticTokens, reviews) : reviews;
        Authorizer authz = Authorizer.staticTokensOr(new SubjectAccessReviewAuthorizer(client, ttl, clock));
        return new Access(authn, authz, "Kubernetes TokenReview and SubjectAccessReview"
                + (staticTokens.configured() ? ", and " + staticTokens : ""), staticTokens);
    }

    /** Why a review could not be made, for the refusal and the audit trail: no stack, no token. */
    static String why(KubernetesClientException e, String resource) {
        int code = e.getCode();
        if (code == 401 || code == 403) {
            return "the agent's own credentials may not create " + resource + " (HTTP " + code
                    + "; its ClusterRole needs it, see deploy/agent/rbac.yaml)";
        }
        if (code > 0) return "the API server answered HTTP " + code;
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return "the API server did not answer (" + root.getClass().getSimpleName() + ")";
    }
}
