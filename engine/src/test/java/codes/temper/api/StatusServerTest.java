package codes.temper.api;

import codes.temper.auth.Access;
import codes.temper.auth.StaticTokens;
import codes.temper.auth.StaticTokensTest;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.api.Fixtures.RecordingControl;
import codes.temper.reconcile.AgentStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The status API over real HTTP on an ephemeral port. */
class StatusServerTest {

    static final String TOKEN = StaticTokensTest.TOKEN;
    static final String ACTOR = StaticTokens.actorOf(TOKEN);

    final AtomicReference<AgentStatus> status = new AtomicReference<>(Fixtures.notReady());
    final RecordingControl control = new RecordingControl();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final AuditLog audit = AuditLog.inMemory();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final List<HttpResponse<String>> responses = new ArrayList<>();
    LogCapture logs;
    StatusServer server;

    @BeforeEach
    void start() {
        logs = new LogCapture();
        server = serve(Access.staticTokens(StaticTokens.ofTokens(List.of(TOKEN))));
    }

    @AfterEach
    void stop() {
        try {
            server.close();
            // The token must not leak through any response or any log line.
            assertThat(responses).allSatisfy(r -> {
                assertThat(r.body()).doesNotContain(TOKEN);
                assertThat(r.headers().map().toString()).doesNotContain(TOKEN);
            });
            assertThat(logs.everything()).doesNotContain(TOKEN);
        } finally {
            logs.close();
        }
    }

    StatusServer serve(Access auth) {
        return StatusServer.start(status::get, control, registry, auth, audit, "127.0.0.1", 0);
    }

    @Test
    void healthzAnswersOkWhileServing() throws Exception {
        var r = get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
        assertThat(server.port()).isPositive();
    }

    @Test
    void readyzFollowsTheSuppliedStatus() throws Exception {
        var notYet = get("/readyz");
        assertThat(notYet.statusCode()).isEqualTo(503);
        assertThat(notYet.body()).isEqualTo("no policy loaded yet");

        var loaded = Fixtures.attached(Fixtures.tiers());
        status.set(new AgentStatus(loaded.node(), loaded.mode(), loaded.agentStatus(), loaded.reasons(), Fixtures.REVISION,
                false, loaded.tiers(), loaded.scheduler(), null, loaded.updated()));
        assertThat(get("/readyz").body()).startsWith("decision not applied yet");

        status.set(Fixtures.attached(Fixtures.tiers()));
        var ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
    }

    @Test
    void statusIsTheSnapshotAsJsonWithIsoTimesAndNullsKept() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers(), "attach: kernel 6.12"));
        var r = get("/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertSecurityHeaders(r);

        JsonNode s = ApiJson.MAPPER.readTree(r.body());
        assertThat(s.propertyNames()).containsExactlyInAnyOrder("node", "mode", "agentStatus", "reasons", "policyRevision",
                "ready", "tiers", "scheduler", "lastReconfiguration", "updated", "stats", "policySource", "loop", "pods", "safeMode",
                "history");
        assertThat(s.get("mode").stringValue()).isEqualTo("attach");
        assertThat(s.get("policyRevision").stringValue()).isEqualTo(Fixtures.REVISION);
        assertThat(s.get("ready").booleanValue()).isTrue();
        assertThat(s.get("reasons").get(0).stringValue()).isEqualTo("attach: kernel 6.12");
        assertThat(s.get("updated").stringValue()).isEqualTo("2026-11-27T10:15:30.123Z");
        assertThat(s.get("lastReconfiguration").get("at").stringValue()).isEqualTo("2026-11-27T10:15:29Z");
        assertThat(s.get("lastReconfiguration").get("evaluateMs").doubleValue()).isEqualTo(1.25);
        JsonNode normal = s.get("tiers").get(1);
        assertThat(normal.get("name").stringValue()).isEqualTo("normal");
        assertThat(normal.has("ceilingCpus")).isTrue();
        assertThat(normal.get("ceilingCpus").isNull()).isTrue();
        assertThat(s.get("scheduler").get("phase").stringValue()).isEqualTo("ATTACHED");
        assertThat(s.get("scheduler").get("dryRunWhy").isNull()).isTrue();
        assertThat(s.get("scheduler").get("retryAt").isNull()).isTrue();

        status.set(Fixtures.notReady());
        JsonNode early = ApiJson.MAPPER.readTree(get("/status").body());
        assertThat(early.get("policyRevision").isNull()).isTrue();
        assertThat(early.get("lastReconfiguration").isNull()).isTrue();
    }

    @Test
    void statusIsSentWithItsLengthAndGzippedToClientsThatTakeIt() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers(), "attach: kernel 6.12"));
        var plain = get("/status");
        assertThat(plain.headers().firstValue("Content-Length")).hasValue(Integer.toString(plain.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        var zipped = http.send(HttpRequest.newBuilder(uri("/status")).header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(zipped.headers().firstValue("Vary")).hasValue("Accept-Encoding");
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(plain.body());
        }
        // A new snapshot is a new rendering, both ways.
        status.set(Fixtures.safeMode());
        assertThat(ApiJson.MAPPER.readTree(get("/status").body()).get("mode").stringValue()).isEqualTo("safe-mode");
        var zipped2 = http.send(HttpRequest.newBuilder(uri("/status")).header("Accept-Encoding", "gzip, deflate").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped2.body()))) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"mode\":\"safe-mode\"");
        }
    }

    @Test
    void statusAndMetricsCarryThePolicyRevisionsAge() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers()));
        assertThat(ApiJson.MAPPER.readTree(get("/status").body()).get("policySource").isNull()).isTrue();
        assertThat(get("/metrics").body()).contains("temper_policy_age_seconds NaN");

        Instant fetched = Instant.parse("2026-11-27T08:15:30Z");
        status.set(Fixtures.attached(Fixtures.tiers()).withPolicySource(new AgentStatus.PolicySourceState(Fixtures.REVISION, fetched,
                7200.5, true, null, 3, "connection refused", null, fetched.plusSeconds(7260))));
        JsonNode source = ApiJson.MAPPER.readTree(get("/status").body()).get("policySource");
        assertThat(source.get("revision").stringValue()).isEqualTo(Fixtures.REVISION);
        assertThat(source.get("fetchedAt").stringValue()).isEqualTo("2026-11-27T08:15:30Z");
        assertThat(source.get("ageSeconds").doubleValue()).isEqualTo(7200.5);
        assertThat(source.get("fromLastKnownGood").booleanValue()).isTrue();
        assertThat(source.get("consecutiveFailures").intValue()).isEqualTo(3);
        assertThat(get("/metrics").body()).contains("# TYPE temper_policy_age_seconds gauge", "temper_policy_age_seconds 7200.5");
    }

    @Test
    void metricsExposeTheStatusAndFollowIt() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers()));
        var r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        String m = r.body();
        assertThat(m).contains("temper_mode{mode=\"attach\"} 1.0", "temper_mode{mode=\"safe-mode\"} 0.0",
                "temper_mode{mode=\"excluded\"} 0.0", "temper_mode{mode=\"unsupported\"} 0.0",
                "temper_ready 1.0", "temper_scheduler_attached 1.0",
                "temper_tier_pods{tier=\"critical\"} 3.0", "temper_tier_pods{tier=\"normal\"} 21.0",
                "temper_tier_pods{tier=\"background\"} 5.0",
                "temper_tier_ceiling_cpus{tier=\"critical\"} 8.0",
                "temper_audit_events_total{outcome=\"ok\"} 0.0");
        assertThat(m).doesNotContain("temper_tier_ceiling_cpus{tier=\"normal\"}");

        // A new revision: a tier goes, one appears, counts change; safe mode stands the scheduler down.
        var next = List.of(new AgentStatus.Tier("critical", 0, 8.0, "policy", 4), new AgentStatus.Tier("batch", 1, 1.0, "policy", 9));
        var s = Fixtures.safeMode();
        status.set(new AgentStatus(s.node(), s.mode(), s.agentStatus(), s.reasons(), s.policyRevision(), s.ready(), next,
                s.scheduler(), null, s.updated()));
        post("/safe-mode", "{\"enabled\": true, \"reason\": \"r\"}", null); // one refused audit event
        String after = get("/metrics").body();
        assertThat(after).contains("temper_mode{mode=\"safe-mode\"} 1.0", "temper_mode{mode=\"attach\"} 0.0",
                "temper_scheduler_attached 0.0", "temper_tier_pods{tier=\"critical\"} 4.0",
                "temper_tier_pods{tier=\"batch\"} 9.0", "temper_audit_events_total{outcome=\"refused\"} 1.0");
        assertThat(after).doesNotContain("tier=\"normal\"", "tier=\"background\"");

        status.set(Fixtures.notReady());
        assertThat(get("/metrics").body()).contains("temper_ready 0.0").doesNotContain("temper_tier_pods{");
    }

    @Test
    void statusCarriesTheSchedulersCountersPerTierAndTheSystemTier() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers()).withStats(Fixtures.stats()));
        JsonNode stats = ApiJson.MAPPER.readTree(get("/status").body()).get("stats");
        assertThat(stats.get("available").booleanValue()).isTrue();
        assertThat(stats.get("why").isNull()).isTrue();
        assertThat(stats.get("sampledAt").stringValue()).isEqualTo("2026-11-27T10:15:28Z");
        assertThat(stats.get("intervalSeconds").doubleValue()).isEqualTo(5.0);
        JsonNode critical = stats.get("tiers").get(0);
        assertThat(critical.get("name").stringValue()).isEqualTo("critical");
        assertThat(critical.get("runtimeSeconds").doubleValue()).isEqualTo(12.5);
        assertThat(critical.get("cpus").doubleValue()).isEqualTo(1.25);
        assertThat(critical.get("dispatched").longValue()).isEqualTo(110);
        assertThat(critical.get("direct").longValue()).isEqualTo(80);
        assertThat(critical.get("preempts").longValue()).isEqualTo(7);
        assertThat(critical.get("wakeups").longValue()).isEqualTo(100);
        assertThat(critical.get("wakeP50Micros").longValue()).isEqualTo(8);
        assertThat(critical.get("wakeP99Micros").longValue()).isEqualTo(1024);
        assertThat(critical.get("wakeBuckets").size()).isEqualTo(24);
        JsonNode background = stats.get("tiers").get(1);
        assertThat(background.get("throttled").longValue()).isEqualTo(42);
        assertThat(background.get("wakeP99Micros").isNull()).isTrue();
        assertThat(stats.get("system").get("name").stringValue()).isEqualTo("(system)");
        assertThat(stats.get("system").get("cpus").doubleValue()).isEqualTo(0.01);

        // A dry run: no counters, and the reason in their place.
        var dry = Fixtures.notReady().withStats(AgentStatus.SchedulerStats.unavailable("dry run: no scheduler is loaded, so nothing is counted"));
        status.set(dry);
        JsonNode none = ApiJson.MAPPER.readTree(get("/status").body()).get("stats");
        assertThat(none.get("available").booleanValue()).isFalse();
        assertThat(none.get("why").stringValue()).startsWith("dry run:");
        assertThat(none.get("tiers").size()).isZero();
        assertThat(none.get("system").isNull()).isTrue();
    }

    @Test
    void statusSaysWhatHoldsCpuMaxAndNamesTheMostThrottledPods() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers()).withStats(Fixtures.stats()));
        JsonNode s = ApiJson.MAPPER.readTree(get("/status").body());
        JsonNode cpuMax = s.get("scheduler").get("cpuMax");
        assertThat(cpuMax.get("mechanism").stringValue()).isEqualTo("scheduler-pod-ceilings");
        assertThat(cpuMax.get("enforcedBy").stringValue()).isEqualTo("scheduler (pod ceilings from CPU limits)");
        assertThat(cpuMax.get("kernel").stringValue()).contains("probed");
        JsonNode t = s.get("stats").get("podThrottling");
        assertThat(t.get("total").longValue()).isEqualTo(57);
        assertThat(t.get("topPerTier").intValue()).isEqualTo(5);
        JsonNode background = t.get("tiers").get(1);
        assertThat(background.get("tier").stringValue()).isEqualTo("background");
        assertThat(background.get("limited").intValue()).isEqualTo(3);
        assertThat(background.get("throttled").longValue()).isEqualTo(57);
        assertThat(background.get("top").get(0).get("pod").stringValue()).isEqualTo("batch/crunch-1");
        assertThat(background.get("top").get(0).get("limitCpus").doubleValue()).isEqualTo(0.5);
        assertThat(background.get("top").get(0).get("source").stringValue()).isEqualTo("pod ceiling");

        // Not known (before the first pass) is null, not absent; no counters, no throttling.
        status.set(Fixtures.notReady());
        JsonNode n = ApiJson.MAPPER.readTree(get("/status").body());
        assertThat(n.get("scheduler").get("cpuMax").isNull()).isTrue();
        assertThat(n.get("stats").get("podThrottling").isNull()).isTrue();
    }

    @Test
    void metricsSayWhatHoldsCpuMaxAndCountPodThrottlingPerTierOnly() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers()).withStats(Fixtures.stats()));
        String m = get("/metrics").body();
        assertThat(m).contains("temper_cpu_max_mechanism{mechanism=\"scheduler-pod-ceilings\"} 1.0",
                "temper_cpu_max_mechanism{mechanism=\"scheduler-cgroup\"} 0.0",
                "temper_cpu_max_mechanism{mechanism=\"kernel-cfs\"} 0.0",
                "temper_cpu_max_mechanism{mechanism=\"dry-run\"} 0.0",
                "# TYPE temper_tier_pod_throttled_total counter",
                "temper_tier_pod_throttled_total{tier=\"background\"} 57.0",
                "temper_tier_pod_throttled_total{tier=\"critical\"} 0.0");
        assertThat(m).as("no per-pod series").doesNotContain("crunch-1");

        // Before a policy: no tier but the system tier, at 0.
        status.set(Fixtures.notReady());
        String before = get("/metrics").body();
        assertThat(before).doesNotContain("temper_cpu_max_mechanism{mechanism=\"scheduler-pod-ceilings\"} 1.0")
                .contains("temper_tier_pod_throttled_total{tier=\"(system)\"} 0.0");
        assertThat(before.lines().filter(l -> l.startsWith("temper_tier_pod_throttled_total{"))).hasSize(1);
    }

    @Test
    void metricsExposeTheSchedulersCountersAndWakeLatencyHistogram() throws Exception {
        status.set(Fixtures.attached(Fixtures.tiers()).withStats(Fixtures.stats()));
        String m = get("/metrics").body();
        assertThat(m).contains(
                "# TYPE temper_tier_runtime_seconds_total counter",
                "temper_tier_runtime_seconds_total{tier=\"critical\"} 12.5",
                "temper_tier_runtime_seconds_total{tier=\"(system)\"} 2.0",
                "temper_tier_throttled_total{tier=\"background\"} 42.0",
                "temper_tier_dispatched_total{tier=\"critical\"} 110.0",
                "temper_tier_wakeups_total{tier=\"critical\"} 100.0",
                "# TYPE temper_tier_wake_latency_seconds histogram",
                // cumulative: 90 below 8 us, 99 below 1.024 ms, all 100 with the one beyond 4.19 s
                "temper_tier_wake_latency_seconds_bucket{tier=\"critical\",le=\"4.0E-6\"} 0",
                "temper_tier_wake_latency_seconds_bucket{tier=\"critical\",le=\"8.0E-6\"} 90",
                "temper_tier_wake_latency_seconds_bucket{tier=\"critical\",le=\"0.001024\"} 99",
                "temper_tier_wake_latency_seconds_bucket{tier=\"critical\",le=\"4.194304\"} 99",
                "temper_tier_wake_latency_seconds_bucket{tier=\"critical\",le=\"+Inf\"} 100",
                "temper_tier_wake_latency_seconds_count{tier=\"critical\"} 100",
                "temper_tier_wake_latency_seconds_sum{tier=\"critical\"} 4.5",
                "temper_tier_wake_latency_seconds_count{tier=\"(system)\"} 0");
        assertThat(m.lines().filter(l -> l.startsWith("temper_tier_wake_latency_seconds_bucket{tier=\"critical\"")).count())
                .as("23 bounded buckets and +Inf").isEqualTo(24);

        assertThat(m).contains("temper_tier_enqueued_total{tier=\"critical\"} 120.0", "temper_tier_direct_dispatches_total{tier=\"critical\"} 80.0",
                "temper_tier_preemptions_total{tier=\"critical\"} 7.0");

        // No scheduler loaded (safe mode, a dry run): every series stays, at 0, as a counter reset
        // reads; nothing stale, and nothing for a dashboard to see vanish.
        status.set(Fixtures.attached(Fixtures.tiers()).withStats(AgentStatus.SchedulerStats.unavailable("no scheduler loaded (DETACHED)")));
        String after = get("/metrics").body();
        assertThat(after).contains("temper_tier_runtime_seconds_total{tier=\"(system)\"} 0.0",
                "temper_tier_wake_latency_seconds_bucket{tier=\"(system)\",le=\"+Inf\"} 0",
                "temper_tier_wake_latency_seconds_count{tier=\"(system)\"} 0");
        assertThat(Fixtures.tiers()).hasSizeGreaterThan(1);
        for (AgentStatus.Tier t : Fixtures.tiers()) {
            assertThat(after).contains("temper_tier_runtime_seconds_total{tier=\"" + t.name() + "\"} 0.0",
                    "temper_tier_wake_latency_seconds_count{tier=\"" + t.name() + "\"} 0");
        }
        assertThat(after).doesNotContain("12.5");
        // and count again when the scheduler is back
        status.set(Fixtures.attached(Fixtures.tiers()).withStats(Fixtures.stats()));
        assertThat(get("/metrics").body()).contains("temper_tier_runtime_seconds_total{tier=\"critical\"} 12.5");
    }

    @Test
    void safeModeWithoutATokenIsRefusedAndAudited() throws Exception {
        var r = post("/safe-mode", "{\"enabled\": true, \"reason\": \"x\"}", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(ApiJson.MAPPER.readTree(r.body()).get("error").stringValue()).contains("missing bearer token");
        assertThat(control.calls).isEmpty();
        assertThat(audit.recent(10)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.REFUSED);
            assertThat(e.actor()).isEqualTo("anonymous");
            assertThat(e.remote()).isEqualTo("127.0.0.1");
            assertThat(e.action()).isEqualTo("safe-mode");
        });
    }

    @Test
    void safeModeWithAWrongTokenIsRefused() throws Exception {
        var r = post("/safe-mode", "{\"enabled\": true, \"reason\": \"r\"}", "wrong-token-0123456789");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("invalid token").doesNotContain("wrong-token");
        assertThat(control.calls).isEmpty();
        assertThat(audit.recent(10)).singleElement().satisfies(e -> assertThat(e.detail()).isEqualTo("invalid token"));
        assertThat(logs.everything()).doesNotContain("wrong-token-0123456789");
    }

    @Test
    void safeModeWithTheTokenCallsTheSwitchAuditsAndAnswersTheStatus() throws Exception {
        status.set(Fixtures.safeMode());
        var r = post("/safe-mode", "{\"enabled\": true, \"reason\": \"incident 42\"}", TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ApiJson.MAPPER.readTree(r.body()).get("mode").stringValue()).isEqualTo("safe-mode");
        assertThat(control.calls).containsExactly("true|" + ACTOR + "|incident 42");
        assertThat(ACTOR).isEqualTo("token:" + StaticTokensTest.sha256Prefix(TOKEN));
        assertThat(audit.recent(10)).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo(ACTOR);
            assertThat(e.action()).isEqualTo("safe-mode.on");
            assertThat(e.outcome()).isEqualTo(AuditEntry.Outcome.OK);
            assertThat(e.detail()).isEqualTo("incident 42");
        });
        // The entry also reached the pod log, as one JSON line on the audit logger.
        assertThat(logs.messages(AuditLog.LOGGER)).singleElement().satisfies(line -> {
            JsonNode j = ApiJson.MAPPER.readTree(line);
            assertThat(j.get("actor").stringValue()).isEqualTo(ACTOR);
            assertThat(j.get("action").stringValue()).isEqualTo("safe-mode.on");
            assertThat(line).doesNotContain("\n");
        });

        assertThat(post("/safe-mode", "{\"enabled\": false, \"reason\": \"resolved\"}", TOKEN).statusCode()).isEqualTo(200);
        assertThat(control.calls).last().isEqualTo("false|" + ACTOR + "|resolved");
    }

    @Test
    void aBadBodyIsRefusedNamingTheField() throws Exception {
        var r = post("/safe-mode", "{\"reason\": \"no flag\"}", TOKEN);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ApiJson.MAPPER.readTree(r.body()).get("error").stringValue()).contains("\"enabled\"");
        var garbage = post("/safe-mode", "enabled=true", TOKEN);
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).startsWith("{\"error\":").doesNotContain("Exception").doesNotContain("tools.jackson");
        var huge = post("/safe-mode", "{\"enabled\": true, \"reason\": \"" + "x".repeat(20_000) + "\"}", TOKEN);
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(huge.body()).startsWith("{\"error\":");
        assertThat(control.calls).isEmpty();
        assertThat(audit.recent(10)).hasSize(3).extracting(AuditEntry::outcome).containsOnly(AuditEntry.Outcome.INVALID);
    }

    @Test
    void withNoTokenConfiguredEverythingAuthenticatedIsRefused() throws Exception {
        server.close();
        server = serve(Access.staticTokens(StaticTokens.none()));
        var r = post("/safe-mode", "{\"enabled\": true, \"reason\": \"r\"}", TOKEN);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("no API token is configured");
        assertThat(get("/audit", TOKEN).statusCode()).isEqualTo(401);
        assertThat(control.calls).isEmpty();

        // The second server on the same registry owns the temper_* series, not the closed one.
        status.set(Fixtures.safeMode());
        assertThat(get("/metrics").body()).contains("temper_mode{mode=\"safe-mode\"} 1.0");
        assertThat(logs.everything()).doesNotContain("already registered");
    }

    @Test
    void otherMethodsOnKnownPathsAre405AndUnknownPaths404AsJson() throws Exception {
        var r = get("/safe-mode");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.body()).startsWith("{\"error\":");
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        assertThat(post("/status", "{}", TOKEN).statusCode()).isEqualTo(405);
        assertThat(send(HttpRequest.newBuilder(uri("/audit")).DELETE()).statusCode()).isEqualTo(405);
        assertThat(send(HttpRequest.newBuilder(uri("/healthz")).PUT(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(405);
        var missing = get("/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).startsWith("{\"error\":");
        assertSecurityHeaders(missing);
        assertThat(control.calls).isEmpty();
    }

    @Test
    void auditNeedsTheTokenAndListsEntriesNewestLast() throws Exception {
        var refused = get("/audit");
        assertThat(refused.statusCode()).isEqualTo(401);
        post("/safe-mode", "{\"enabled\": true, \"reason\": \"first\"}", TOKEN);
        post("/safe-mode", "{\"enabled\": false, \"reason\": \"second\"}", TOKEN);

        var r = get("/audit", TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode entries = ApiJson.MAPPER.readTree(r.body());
        assertThat(entries.size()).isEqualTo(3);
        assertThat(entries.get(0).get("action").stringValue()).isEqualTo("audit.read");
        assertThat(entries.get(0).get("outcome").stringValue()).isEqualTo("refused");
        assertThat(entries.get(2).get("detail").stringValue()).isEqualTo("second");
        assertThat(entries.get(2).get("actor").stringValue()).isEqualTo(ACTOR);
        assertThat(entries.get(2).get("time").stringValue()).endsWith("Z");

        assertThat(ApiJson.MAPPER.readTree(get("/audit?limit=1", TOKEN).body()).size()).isEqualTo(1);
        assertThat(get("/audit?limit=x", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void theDashboardIsServedWithAPolicyAllowingOnlyItsOwnScript() throws Exception {
        var r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(r.body()).contains("<title>Temper</title>").doesNotContain("http://", "https://", "innerHTML");
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("default-src 'self'").contains("script-src 'sha256-", "require-trusted-types-for 'script'")
                .doesNotContain("unsafe-inline", "unsafe-eval"));
        assertThat(r.body()).as("the page's own cross-site token").containsPattern("<meta name=\"temper-csrf\" content=\"[0-9a-z]+\\.[A-Za-z0-9_-]+\">");
    }

    private void assertSecurityHeaders(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).startsWith("default-src 'self'"));
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(r.headers().firstValue("Server")).isEmpty();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void concurrentScrapesWhileTheRevisionAndTiersChangeAllAnswer() throws Exception {
        // Found by the soak: a scrape racing another scrape's refresh saw a gauge removed and
        // registered again as two series with the same labels, and answered 500.
        var revisionA = Fixtures.attached(Fixtures.tiers());
        var none = Fixtures.notReady();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        Thread flipper = Thread.ofPlatform().start(() -> {
            for (int i = 0; !stop.get(); i++) {
                status.set(i % 2 == 0 ? revisionA : none);
                Thread.onSpinWait();
            }
        });
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                pool.submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        var r = http.send(HttpRequest.newBuilder(uri("/metrics")).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) failures.add(r.statusCode() + " " + r.body());
                    }
                    return null;
                });
            }
        } finally {
            stop.set(true);
            flipper.join();
        }
        assertThat(failures).isEmpty();
        assertThat(logs.everything()).doesNotContain("GET /metrics failed");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(path, null);
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(uri(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    private HttpResponse<String> post(String path, String body, String token) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header(Csrf.HEADER, Csrf.token(server.port())).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        var r = http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        responses.add(r);
        return r;
    }
}
