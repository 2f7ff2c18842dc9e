package codes.temper.kube;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The API server's side of TokenReview and SubjectAccessReview for the mock server, which in CRUD
 * mode would only store the reviews: tokens are known by a table, permissions are RBAC-like grants
 * to a user or one of its groups. The agent's requests go through the real fabric8 client calls
 * ({@code client.authentication().v1().tokenReviews().create}, ...) over HTTP; every review asked
 * is kept for the test to look at.
 */
public final class KubeReviews {
    public static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    public static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

    private record Person(String name, String uid, List<String> groups) {
    }

    private final Map<String, Person> tokens = new ConcurrentHashMap<>();
    private final Set<String> grants = ConcurrentHashMap.newKeySet();
    public final List<TokenReview> tokenReviews = new CopyOnWriteArrayList<>();
    public final List<SubjectAccessReview> accessReviews = new CopyOnWriteArrayList<>();
    private volatile int failWith;
    private volatile java.util.concurrent.CountDownLatch gate;

    /** A bearer token the API server knows as {@code user} in {@code groups}. */
    public KubeReviews token(String token, String user, String... groups) {
        tokens.put(token, new Person(user, "uid-" + user.hashCode(), List.of(groups)));
        return this;
    }

    /** Lets a user or a group ({@code group:<name>}) do {@code verb} on {@code resource}/{@code name}. */
    public KubeReviews allow(String subject, String verb, String resource, String name) {
        grants.add(subject + "|" + verb + "|" + resource + "|" + name);
        return this;
    }

    /** Every review is answered with this HTTP status from now on (0: answered normally). */
    public void failWith(int status) {
        failWith = status;
    }

    /** Reviews wait until {@code g} opens (an API server that does not answer); null: answered at once. */
    public void holdUntil(java.util.concurrent.CountDownLatch g) {
        gate = g;
    }

    private void waitAtTheGate() {
        var g = gate;
        if (g == null) return;
        try {
            g.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public KubeReviews installOn(MockApiServer api) {
        api.onPost(TOKEN_REVIEWS, this::tokenReview);
        api.onPost(ACCESS_REVIEWS, this::accessReview);
        return this;
    }

    private MockResponse tokenReview(RecordedRequest r) {
        waitAtTheGate();
        if (failWith != 0) return new MockResponse().setResponseCode(failWith).setBody("{\"kind\":\"Status\",\"code\":" + failWith + "}");
        TokenReview review = Serialization.unmarshal(r.getUtf8Body(), TokenReview.class);
        tokenReviews.add(review);
        Person p = tokens.get(review.getSpec().getToken());
        review.setStatus(p == null
                ? new TokenReviewStatusBuilder().withAuthenticated(false).withError("[invalid bearer token, token lookup failed]").build()
                : new TokenReviewStatusBuilder().withAuthenticated(true).withNewUser().withUsername(p.name()).withUid(p.uid())
                        .withGroups(p.groups()).endUser().build());
        review.getSpec().setToken(null); // as the API server: the answer does not echo the token
        return json(review);
    }

    private MockResponse accessReview(RecordedRequest r) {
        waitAtTheGate();
        if (failWith != 0) return new MockResponse().setResponseCode(failWith).setBody("{\"kind\":\"Status\",\"code\":" + failWith + "}");
        SubjectAccessReview review = Serialization.unmarshal(r.getUtf8Body(), SubjectAccessReview.class);
        accessReviews.add(review);
        var spec = review.getSpec();
        var a = spec.getResourceAttributes();
        String what = "|" + a.getVerb() + "|" + a.getResource() + "|" + a.getName();
        String by = grants.contains(spec.getUser() + what) ? "user " + spec.getUser() : null;
        for (String g : spec.getGroups() == null ? List.<String>of() : spec.getGroups()) {
            if (by == null && grants.contains("group:" + g + what)) by = "group " + g;
        }
        review.setStatus(by != null
                ? new SubjectAccessReviewStatusBuilder().withAllowed(true).withReason("RBAC: allowed for " + by).build()
                : new SubjectAccessReviewStatusBuilder().withAllowed(false).withReason("").build());
        return json(review);
    }

    private static MockResponse json(Object o) {
        return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json").setBody(Serialization.asJson(o));
    }
}
