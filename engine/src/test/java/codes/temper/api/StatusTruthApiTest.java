package codes.temper.api;

import codes.temper.auth.Access;
import codes.temper.auth.StaticTokens;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.reconcile.AgentStatus;
import codes.temper.rules.Mode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the API says is true: liveness follows the loop, and a dry run is never counted as attached. */
class StatusTruthApiTest {
    final AtomicReference<AgentStatus> status = new AtomicReference<>(Fixtures.notReady());
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    StatusServer server;

    @BeforeEach
    void start() {
        server = StatusServer.start(status::get, new Fixtures.RecordingControl(), registry, Access.staticTokens(StaticTokens.none()), AuditLog.inMemory(),
                "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthzFailsSayingWhyWhenTheLoopHasNotProgressed() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers()).withLoop(AgentStatus.Loop.OK));
        assertThat(get("/healthz").statusCode()).isEqualTo(200);

        String why = "a pass (trigger pods) has run for 61 s, over the 60 s bound: the loop is stuck";
        status.set(Fixtures.attached(Fixtures.tiers()).withLoop(new AgentStatus.Loop(false, why)));
        var r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo(why);
        assertThat(get("/status").body()).contains("\"loop\":{\"healthy\":false,\"why\":\"" + why + "\"}");
    }

    @Test
    void aDryRunIsNotCountedAsAttachedWhateverPhaseItClaims() throws Exception {
        // What the agent reported before: the dry-run driver "holding" a configuration as ATTACHED.
        var s = Fixtures.attached(Fixtures.tiers());
        status.set(new AgentStatus(s.node(), Mode.ATTACH, "attached", List.of(), s.policyRevision(), true, s.tiers(),
                new AgentStatus.Scheduler("dry-run", "this kernel has no sched_ext", "ATTACHED", "absent", null, 0, null, null),
                null, s.updated()));
        assertThat(get("/metrics").body()).contains("temper_scheduler_attached 0.0");
    }

    @Test
    void everyAgentStateHasItsModeSeries() throws Exception {
        var s = Fixtures.attached(Fixtures.tiers());
        status.set(new AgentStatus(s.node(), Mode.DRY_RUN, "dry-run:this kernel has no sched_ext", List.of(), s.policyRevision(), true,
                s.tiers(), new AgentStatus.Scheduler("dry-run", "this kernel has no sched_ext", "DRY_RUN", "absent", null, 0, null, null),
                null, s.updated()));
        assertThat(get("/metrics").body()).contains("temper_mode{mode=\"dry-run\"} 1.0", "temper_mode{mode=\"attach\"} 0.0",
                "temper_mode{mode=\"no-policy\"} 0.0", "temper_mode{mode=\"pending\"} 0.0", "temper_mode{mode=\"degraded\"} 0.0",
                "temper_scheduler_attached 0.0");
    }
}
