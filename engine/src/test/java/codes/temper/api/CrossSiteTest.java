package codes.temper.api;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CrossSiteTest {
    static final String HOST = "10.0.0.7:9740";

    @Test
    void aTokenItIssuedPassesForTwelveHoursOnlyAndOnlyFromThisAgent() {
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        var site = new CrossSite(Clock.fixed(t0, ZoneOffset.UTC));
        String token = site.issue();
        assertThat(token).matches("[0-9a-z]+\\.[A-Za-z0-9_-]+");
        assertThat(site.refusal(null, null, HOST, token)).isEmpty();
        assertThat(site.refusal("same-origin", "http://" + HOST, HOST, token)).isEmpty();

        var later = new CrossSite(Clock.fixed(t0.plus(CrossSite.VALIDITY).plusSeconds(1), ZoneOffset.UTC));
        assertThat(later.refusal(null, null, HOST, token)).as("another agent (or a restart): another key").isPresent();
        String tampered = token.substring(0, token.indexOf('.')) + ".AAAA" + token.substring(token.indexOf('.') + 5);
        assertThat(site.refusal(null, null, HOST, tampered)).hasValueSatisfying(v -> assertThat(v).contains("not issued by this agent"));
        assertThat(site.refusal(null, null, HOST, "garbage")).isPresent();
        assertThat(site.refusal(null, null, HOST, null)).hasValueSatisfying(v -> assertThat(v).startsWith("missing X-Temper-CSRF"));
    }

    @Test
    void expiresAfterItsValidity() {
        var clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
        var site = new CrossSite(clock);
        String token = site.issue();
        clock.now = clock.now.plus(CrossSite.VALIDITY).minusSeconds(1);
        assertThat(site.refusal(null, null, HOST, token)).isEmpty();
        clock.now = clock.now.plus(Duration.ofSeconds(2));
        assertThat(site.refusal(null, null, HOST, token)).hasValueSatisfying(v -> assertThat(v).contains("expired"));
    }

    @Test
    void anotherSiteOrOriginIsRefusedWhateverTheToken() {
        var site = new CrossSite(Clock.systemUTC());
        String token = site.issue();
        assertThat(site.refusal("cross-site", null, HOST, token)).hasValueSatisfying(v -> assertThat(v).contains("Sec-Fetch-Site: cross-site"));
        assertThat(site.refusal("same-site", null, HOST, token)).isPresent();
        assertThat(site.refusal("none", null, HOST, token)).as("a POST is never typed into the address bar").isPresent();
        assertThat(site.refusal(null, "http://evil.example", HOST, token)).hasValueSatisfying(v -> assertThat(v).contains("evil.example"));
        assertThat(site.refusal(null, "null", HOST, token)).isPresent();
        assertThat(site.refusal(null, "http://10.0.0.7:9741", HOST, token)).isPresent();
        assertThat(site.refusal(null, "https://10.0.0.7:9740", HOST, token)).as("behind a TLS proxy").isEmpty();
        assertThat(site.refusal(null, "http://10.0.0.7:9740", null, token)).isPresent();
    }
}
