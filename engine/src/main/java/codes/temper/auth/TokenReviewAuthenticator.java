package codes.temper.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * A bearer token checked the Kubernetes way: a TokenReview asks the API server who the token
 * belongs to (a service account, or a user of the cluster's OIDC or webhook authenticator), as
 * kube-rbac-proxy and the kubelet do. The API server's answer is cached for a short while,
 * keyed by the token's SHA-256, so a page that polls does not cost a review per request; a token
 * revoked in the cluster is therefore still accepted for up to {@code ttl.authenticated()}.
 *
 * <p>The agent's service account needs {@code create} on {@code tokenreviews.authentication.k8s.io}
 * (deploy/agent/rbac.yaml, the chart).
 */
public final class TokenReviewAuthenticator implements Authenticator {

    private final KubernetesClient client;
    private final ReviewCache<Authentication> cache;

    public TokenReviewAuthenticator(KubernetesClient client, KubernetesAccess.Ttl ttl, Clock clock) {
        this.client = client;
        this.cache = new ReviewCache<>(1000, a -> switch (a) {
            case Authenticated x -> ttl.authenticated();
            case Unauthenticated x -> ttl.unauthenticated();
            case Unavailable x -> Duration.ZERO;
        }, () -> new Unavailable("the token could not be checked: " + ReviewCache.IN_FLIGHT + " reviews already wait for the API server"), clock);
    }

    @Override
    public Authentication authenticate(String token) {
        return cache.get(HexFormat.of().formatHex(StaticTokens.sha256(token)), k -> review(token));
    }

    private Authentication review(String token) {
        TokenReview asked = new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build();
        TokenReview answer;
        try {
            answer = client.authentication().v1().tokenReviews().create(asked);
        } catch (KubernetesClientException e) {
            return new Unavailable("the token could not be checked: " + KubernetesAccess.why(e, "tokenreviews.authentication.k8s.io"));
        }
        var st = answer == null ? null : answer.getStatus();
        if (st == null || st.getAuthenticated() == null) {
            return new Unavailable("the token could not be checked: the API server's TokenReview answer has no status");
        }
        if (!st.getAuthenticated()) {
            // The API server's error names the authenticator that failed, never the token.
            return new Unauthenticated("invalid token" + (st.getError() == null || st.getError().isBlank() ? "" : " (" + st.getError() + ")"));
        }
        UserInfo u = st.getUser();
        if (u == null || u.getUsername() == null || u.getUsername().isBlank()) {
            return new Unauthenticated("the API server authenticated the token but named no user");
        }
        return new Authenticated(new User(u.getUsername(), u.getUid(), u.getGroups() == null ? List.of() : u.getGroups(),
                u.getExtra(), User.Source.TOKEN_REVIEW));
    }

    long cacheMisses() {
        return cache.misses();
    }
}
