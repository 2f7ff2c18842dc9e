package codes.temper.api;

import codes.temper.auth.Access;
import codes.temper.auth.StaticTokens;
import codes.temper.auth.StaticTokensTest;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.AuditEntry.Outcome;
import codes.temper.api.Fixtures.RecordingControl;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Authenticated {@code POST /safe-mode} bodies that are hostile or broken (issue 13, item 6), over
 * real HTTP: each is a clean 400 with an audit record, no Java text reaches the client, the audit
 * or the log, and bodies that never finish cannot starve {@code /healthz} and {@code /status}.
 */
class SafeModeBodyTest {
    static final String TOKEN = StaticTokensTest.TOKEN;

    final RecordingControl control = new RecordingControl();
    final AuditLog audit = AuditLog.inMemory();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    LogCapture logs;
    StatusServer server;

    @BeforeEach
    void start() {
        logs = new LogCapture();
        server = StatusServer.start(() -> Fixtures.attached(Fixtures.tiers()), control, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                Access.staticTokens(StaticTokens.ofTokens(List.of(TOKEN))), audit, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        try {
            server.close();
            assertThat(logs.everything()).as("nothing Java in the log").doesNotContain("\tat ", "NullPointerException", "Exception:");
        } finally {
            logs.close();
        }
    }

    HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/safe-mode"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .header(Csrf.HEADER, Csrf.token(server.port())).timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        // The timeout is a hang guard: before the fix these waited 30 s for a pool thread.
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void assertNoJava(String text) {
        assertThat(text).doesNotContainPattern("[A-Z][A-Za-z]+(Exception|Error)\\b").doesNotContain("java.", "tools.jackson", "\tat ");
    }

    @Test
    void deeplyNestedJsonIsACleanRefusal() throws Exception {
        for (String body : List.of("[".repeat(600) + "]".repeat(600), "{\"enabled\": true, \"reason\": " + "[".repeat(2000),
                "{\"enabled\":" + "{\"a\":".repeat(1000) + "1" + "}".repeat(1001))) {
            var r = post(body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.body()).contains("nested deeper than");
            assertNoJava(r.body());
        }
        assertThat(control.calls).isEmpty();
        assertThat(audit.recent(10)).hasSize(3).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.INVALID);
            assertThat(e.detail()).contains("nested deeper than");
            assertNoJava(e.detail());
        });
    }

    @Test
    void aBodyCutShortIsAuditedWithoutAStackTrace() throws Exception {
        String csrf = Csrf.token(server.port());
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /safe-mode HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n" + Csrf.HEADER + ": " + csrf
                    + "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"enabled\": tr").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.shutdownOutput(); // the client goes away mid-body
            InputStream in = s.getInputStream();
            in.readAllBytes();
        }
        awaitAudit(1);
        assertThat(audit.recent(10)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Outcome.INVALID);
            assertThat(e.detail()).startsWith("request body incomplete");
            assertNoJava(e.detail());
        });
        assertThat(control.calls).isEmpty();
    }

    @Test
    void stalledBodiesNeitherStarveTheProbesNorGoUnaudited() throws Exception {
        String csrf = Csrf.token(server.port());
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                s.getOutputStream().write(("POST /safe-mode HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n" + Csrf.HEADER + ": " + csrf
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stalled.add(s);
            }
            assertThat(get("/healthz").statusCode()).isEqualTo(200);
            assertThat(get("/status").statusCode()).isEqualTo(200);
            // Each stalled body is cut off by the body timeout and audited.
            awaitAudit(40);
            assertThat(audit.recent(100)).allSatisfy(e -> {
                assertThat(e.outcome()).isEqualTo(Outcome.INVALID);
                assertThat(e.detail()).startsWith("request body incomplete");
            });
        } finally {
            for (Socket s : stalled) s.close();
        }
        assertThat(control.calls).isEmpty();
    }

    void awaitAudit(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (audit.recent(1000).size() < n && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(audit.recent(1000)).as("audit entries").hasSizeGreaterThanOrEqualTo(n);
    }
}
