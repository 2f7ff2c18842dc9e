package codes.temper.auth;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * An action authorised the Kubernetes way: a SubjectAccessReview asks the API server whether the
 * authenticated user (with the groups, uid and extra the TokenReview gave) may do the
 * {@link ResourceAttributes} the endpoint maps to, so the cluster's RBAC (or any authoriser the
 * API server runs) decides who may read a node's Temper state and who may stand its scheduler
 * down. Answers are cached briefly, allows longer than denials, as kube-rbac-proxy does.
 *
 * <p>The agent's service account needs {@code create} on
 * {@code subjectaccessreviews.authorization.k8s.io}.
 */
public final class SubjectAccessReviewAuthorizer implements Authorizer {

    private final KubernetesClient client;
    private final ReviewCache<Verdict> cache;

    public SubjectAccessReviewAuthorizer(KubernetesClient client, KubernetesAccess.Ttl ttl, Clock clock) {
        this.client = client;
        this.cache = new ReviewCache<>(1000, v -> switch (v) {
            case Allowed x -> ttl.allowed();
            case Denied x -> ttl.denied();
            case Unavailable x -> Duration.ZERO;
        }, () -> new Unavailable("the permission could not be checked: " + ReviewCache.IN_FLIGHT + " reviews already wait for the API server"), clock);
    }

    @Override
    public Verdict authorize(User user, ResourceAttributes what) {
        return cache.get(key(user, what), k -> review(user, what));
    }

    private Verdict review(User user, ResourceAttributes what) {
        SubjectAccessReview asked = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(user.name()).withUid(user.uid().isEmpty() ? null : user.uid()).withGroups(user.groups())
                .withExtra(user.extra().isEmpty() ? null : user.extra())
                .withNewResourceAttributes().withVerb(what.verb()).withGroup(what.group()).withResource(what.resource())
                .withName(what.name()).withNamespace(what.namespace().isEmpty() ? null : what.namespace()).endResourceAttributes()
                .endSpec().build();
        SubjectAccessReview answer;
        try {
            answer = client.authorization().v1().subjectAccessReview().create(asked);
        } catch (KubernetesClientException e) {
            return new Unavailable("the permission could not be checked: "
                    + KubernetesAccess.why(e, "subjectaccessreviews.authorization.k8s.io"));
        }
        var st = answer == null ? null : answer.getStatus();
        if (st == null || st.getAllowed() == null) {
            return new Unavailable("the permission could not be checked: the API server's SubjectAccessReview answer has no status");
        }
        String reason = st.getReason() == null || st.getReason().isBlank() ? "" : st.getReason();
        if (st.getAllowed() && !Boolean.TRUE.equals(st.getDenied())) return new Allowed(reason);
        String why = user.name() + " may not " + what + (reason.isEmpty() ? "" : " (" + reason + ")");
        if (st.getEvaluationError() != null && !st.getEvaluationError().isBlank()) why += "; evaluation error: " + st.getEvaluationError();
        return new Denied(why);
    }

    /** Everything the answer depends on, digested: user, uid, groups, extra, attributes. */
    static String key(User u, ResourceAttributes what) {
        String all = String.join("\u0000", u.name(), u.uid(), String.join("\u0001", u.groups()), new TreeMap<>(u.extra()).toString(),
                what.verb(), what.group(), what.resource(), String.valueOf(what.name()), what.namespace());
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    long cacheMisses() {
        return cache.misses();
    }
}
