package codes.temper.api;

import codes.temper.auth.Access;
import codes.temper.auth.StaticTokens;
import codes.temper.auth.StaticTokensTest;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.AuditEntry.Outcome;
import codes.temper.api.Fixtures.RecordingControl;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Refusals cannot push mutations out of the audit trail (issue 13, item 4): anonymous requests
 * are counted, recorded at a bounded rate and kept apart from the safe-mode changes.
 */
class AuditRetentionTest {
    static final String TOKEN = StaticTokensTest.TOKEN;

    final AuditLog audit = AuditLog.inMemory();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    LogCapture logs;
    StatusServer server;

    @BeforeEach
    void start() {
        logs = new LogCapture();
        server = StatusServer.start(() -> Fixtures.attached(Fixtures.tiers()), new RecordingControl(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Access.staticTokens(StaticTokens.ofTokens(List.of(TOKEN))), audit, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
        logs.close();
    }

    HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    @Test
    void elevenHundredAnonymousReadsDoNotEvictASafeModeChange() throws Exception {
        var on = send(to("/safe-mode").header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .header(Csrf.HEADER, Csrf.token(server.port()))
                .POST(HttpRequest.BodyPublishers.ofString("{\"enabled\": true, \"reason\": \"incident 7\"}")));
        assertThat(on.statusCode()).isEqualTo(200);
        for (int i = 0; i < 1100; i++) {
            assertThat(send(to("/audit").GET()).statusCode()).isEqualTo(401);
        }
        var list = send(to("/audit?limit=1000").header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode entries = tools.jackson.databind.json.JsonMapper.builder().build().readTree(list.body());
        assertThat(entries.valueStream().filter(e -> e.get("action").stringValue().equals("safe-mode.on")).toList())
                .singleElement().satisfies(e -> assertThat(e.get("detail").stringValue()).isEqualTo("incident 7"));
        // Every refusal is counted; only a bounded number is written out one by one.
        assertThat(audit.count(Outcome.REFUSED)).isEqualTo(1100);
        long refusalLines = logs.messages(AuditLog.LOGGER).stream().filter(l -> l.contains("\"refused\"")).count();
        assertThat(refusalLines).isLessThanOrEqualTo(AuditLog.REFUSALS_PER_WINDOW + 1);
        assertThat(audit.recent(1000).stream().filter(e -> e.outcome() == Outcome.REFUSED).count())
                .isLessThanOrEqualTo(AuditLog.REFUSAL_CAPACITY);
    }
}
