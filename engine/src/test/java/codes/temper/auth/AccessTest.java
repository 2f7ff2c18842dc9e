package codes.temper.auth;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.ManualClock;
import codes.temper.auth.Authenticator.Authenticated;
import codes.temper.auth.Authenticator.Unauthenticated;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pair's logic without a server: chaining, static tokens beside reviews, and the brief caches. */
class AccessTest {
    static final User ALICE = new User("alice", "u1", List.of("sre"), User.Source.TOKEN_REVIEW);

    @Test
    void theCacheKeepsAnswersForTheirTimeAndNeverKeepsAnUnavailableOne() {
        var clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
        var asked = new AtomicInteger();
        var cache = new ReviewCache<String>(2, v -> switch (v) {
            case "yes" -> Duration.ofSeconds(60);
            case "no" -> Duration.ofSeconds(10);
            default -> Duration.ZERO;
        }, () -> "busy", clock);
        assertThat(cache.get("a", k -> { asked.incrementAndGet(); return "yes"; })).isEqualTo("yes");
        assertThat(cache.get("a", k -> { asked.incrementAndGet(); return "no"; })).as("kept").isEqualTo("yes");
        clock.now = clock.now.plusSeconds(61);
        assertThat(cache.get("a", k -> { asked.incrementAndGet(); return "no"; })).as("expired: asked again").isEqualTo("no");
        clock.now = clock.now.plusSeconds(11);
        assertThat(cache.get("a", k -> { asked.incrementAndGet(); return "down"; })).isEqualTo("down");
        assertThat(cache.get("a", k -> { asked.incrementAndGet(); return "yes"; })).as("unavailable was not kept").isEqualTo("yes");
        assertThat(asked).hasValue(4);
        // Bounded: the least recently used goes.
        cache.get("b", k -> "yes");
        cache.get("c", k -> "yes");
        assertThat(cache.get("a", k -> "no")).as("evicted").isEqualTo("no");
    }

    @Test
    void atMostSixteenReviewsWaitForTheApiServerTheNextIsToldItIsBusy() throws Exception {
        var cache = new ReviewCache<String>(100, v -> Duration.ZERO, () -> "busy", java.time.Clock.systemUTC());
        var gate = new java.util.concurrent.CountDownLatch(1);
        var started = new java.util.concurrent.CountDownLatch(ReviewCache.IN_FLIGHT);
        List<Thread> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < ReviewCache.IN_FLIGHT; i++) {
            String key = "k" + i;
            waiting.add(Thread.ofVirtual().start(() -> cache.get(key, k -> {
                started.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "answered";
            })));
        }
        started.await();
        assertThat(cache.get("one-more", k -> "answered")).isEqualTo("busy");
        gate.countDown();
        for (Thread t : waiting) t.join();
        assertThat(cache.get("one-more", k -> "answered")).isEqualTo("answered");
    }

    @Test
    void staticTokensGoFirstAndMayDoEverythingOthersAreAskedOfTheAuthorizer() {
        StaticTokens statics = StaticTokens.ofTokens(List.of("static-token-0123456789"));
        var reviewed = new AtomicInteger();
        Authenticator reviews = t -> {
            reviewed.incrementAndGet();
            return t.equals("alice-token-0123456789") ? new Authenticated(ALICE) : new Unauthenticated("invalid token");
        };
        Authorizer rbac = (u, what) -> what.verb().equals("get") ? new Authorizer.Allowed("rbac") : new Authorizer.Denied("no patch for " + u.name());
        var access = new Access(Authenticator.firstOf(statics, reviews), Authorizer.staticTokensOr(rbac), "test");

        assertThat(access.check("Bearer static-token-0123456789", ResourceAttributes.patchNode("n"))).isInstanceOf(Access.Granted.class);
        assertThat(reviewed).as("a static token needs no review").hasValue(0);
        assertThat(access.check("Bearer alice-token-0123456789", ResourceAttributes.getNode("n"))).isEqualTo(new Access.Granted(ALICE));
        assertThat(access.check("Bearer alice-token-0123456789", ResourceAttributes.patchNode("n")))
                .isEqualTo(new Access.Forbidden(ALICE, "no patch for alice"));
        assertThat(access.check("Bearer someone-else-0123456789", ResourceAttributes.getNode("n")))
                .isEqualTo(new Access.NotAuthenticated("invalid token"));
        assertThat(access.allows(ALICE, ResourceAttributes.patchNode("n"))).isFalse();
    }

    @Test
    void aReviewThatCannotBeMadeIsUnavailableNeverAnAllowOrA401() {
        Authenticator down = t -> new Authenticator.Unavailable("the API server did not answer (ConnectException)");
        var access = new Access(Authenticator.firstOf(StaticTokens.none(), down), Authorizer.denyAll("x"), "test");
        assertThat(access.check("Bearer any-token-0123456789", ResourceAttributes.getNode("n")))
                .isEqualTo(new Access.Unavailable(null, "the API server did not answer (ConnectException)"));
        var noAuthz = new Access(t -> new Authenticated(ALICE), (u, w) -> new Authorizer.Unavailable("SAR failed"), "test");
        assertThat(noAuthz.check("Bearer t", ResourceAttributes.getNode("n"))).isEqualTo(new Access.Unavailable(ALICE, "SAR failed"));
    }

    @Test
    void theAccessReviewCacheKeyCoversEverythingTheAnswerDependsOn() {
        var get = ResourceAttributes.getNode("n");
        String k = SubjectAccessReviewAuthorizer.key(ALICE, get);
        assertThat(SubjectAccessReviewAuthorizer.key(ALICE, ResourceAttributes.patchNode("n"))).isNotEqualTo(k);
        assertThat(SubjectAccessReviewAuthorizer.key(ALICE, ResourceAttributes.getNode("m"))).isNotEqualTo(k);
        assertThat(SubjectAccessReviewAuthorizer.key(new User("alice", "u1", List.of("sre", "admins"), User.Source.TOKEN_REVIEW), get))
                .isNotEqualTo(k);
        assertThat(SubjectAccessReviewAuthorizer.key(new User("alice", "u2", List.of("sre"), User.Source.TOKEN_REVIEW), get)).isNotEqualTo(k);
        assertThat(SubjectAccessReviewAuthorizer.key(new User("alice", "u1", List.of("sre"), java.util.Map.of("pod", List.of("x")),
                User.Source.TOKEN_REVIEW), get)).isNotEqualTo(k);
        assertThat(get.toString()).isEqualTo("get nodes/n");
    }
}
