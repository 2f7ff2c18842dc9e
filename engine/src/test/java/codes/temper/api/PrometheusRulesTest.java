package codes.temper.api;

import codes.temper.auth.Access;
import codes.temper.auth.StaticTokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import codes.temper.cli.TemperProcess;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the agent exports, and the alert rules (deploy/prometheus) and the Grafana dashboard
 * (deploy/grafana) against it, with the real promtool (Debian's prometheus package, which
 * scripts/setup-debian.sh installs; not skipped without it: a skipped check would let a rule on
 * a renamed metric ship silently).
 *
 * <p>The live /metrics comes from `temper agent` in file mode in its own JVM, exactly as an
 * operator runs it: once as soon as it is ready (before any rejection, poll failure, ejection or
 * safe-mode request), and again after one rejected policy revision. The scheduler's per-tier
 * figures, which only the BPF driver counts, come from the status API serving a status with the
 * scheduler's counters.
 */
class PrometheusRulesTest {
    static final Path DEPLOY = Path.of("..", "deploy");
    static final Path RULES = DEPLOY.resolve("prometheus/temper-rules.yaml");
    static final Path RULE_TESTS = DEPLOY.resolve("prometheus/temper-rules.test.yaml");
    static final Path CHART_RULES = DEPLOY.resolve("helm/temper/files/prometheus/temper-rules.yaml");
    static final Path DASHBOARD = DEPLOY.resolve("grafana/temper-dashboard.json");
    /**
     * Every metric family the agent exports, with its type: the catalogue an operator builds
     * alerts and dashboards on. A new metric is added here (and to README's list), a renamed one
     * fails here first. No summary: latencies are histograms, which add up across nodes.
     */
    static final Map<String, String> FAMILIES = new TreeMap<>(Map.ofEntries(
            Map.entry("temper_audit_events_total", "counter"),
            Map.entry("temper_build_info", "gauge"),
            Map.entry("temper_cpu_max_mechanism", "gauge"),
            Map.entry("temper_map_writes_total", "counter"),
            Map.entry("temper_mode", "gauge"),
            Map.entry("temper_policy_age_seconds", "gauge"),
            Map.entry("temper_policy_poll_failures_total", "counter"),
            Map.entry("temper_policy_rejections_total", "counter"),
            Map.entry("temper_policy_revision_info", "gauge"),
            Map.entry("temper_ready", "gauge"),
            Map.entry("temper_reconcile_duration_seconds", "histogram"),
            Map.entry("temper_reconcile_events_total", "counter"),
            Map.entry("temper_safe_mode_transitions_total", "counter"),
            Map.entry("temper_scheduler_attached", "gauge"),
            Map.entry("temper_scheduler_events_total", "counter"),
            Map.entry("temper_tier_ceiling_cpus", "gauge"),
            Map.entry("temper_tier_direct_dispatches_total", "counter"),
            Map.entry("temper_tier_dispatched_total", "counter"),
            Map.entry("temper_tier_enqueued_total", "counter"),
            Map.entry("temper_tier_floored_total", "counter"),
            Map.entry("temper_tier_pod_throttled_total", "counter"),
            Map.entry("temper_tier_pods", "gauge"),
            Map.entry("temper_tier_preemptions_total", "counter"),
            Map.entry("temper_tier_rescued_total", "counter"),
            Map.entry("temper_tier_runtime_seconds_total", "counter"),
            Map.entry("temper_tier_throttled_total", "counter"),
            Map.entry("temper_tier_wake_latency_seconds", "histogram"),
            Map.entry("temper_tier_wakeups_total", "counter")));

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Pattern METRIC = Pattern.compile("\\btemper[_:][a-zA-Z0-9_:]*");

    @TempDir
    static Path dir;
    static Process agent;
    static String startMetrics;
    static String liveMetrics;
    static String schedulerMetrics;

    @BeforeAll
    static void scrape() throws Exception {
        liveMetrics = scrapeFileModeAgent();
        schedulerMetrics = scrapeStatusServerWithSchedulerStats();
    }

    @AfterAll
    static void stop() {
        if (agent != null) agent.destroyForcibly();
    }

    static String scrapeFileModeAgent() throws Exception {
        Path policies = dir.resolve("policies");
        try (Stream<Path> s = Files.walk(Path.of("..", "policies"))) {
            for (Path p : s.toList()) {
                Path to = policies.resolve(Path.of("..", "policies").relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path log = dir.resolve("agent.log");
        agent = TemperProcess.start(log, "agent", "--policies", policies.toString(), "--pods-file", "../policies/examples/pods.yaml",
                "--node-file", "../policies/examples/node.yaml", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--cgroup-root", dir.resolve("cgroup").toString(), "--poll-interval", "1s", "--cache-dir", dir.resolve("cache").toString());
        startMetrics = awaitMetrics(port, log, m -> m.contains("temper_ready 1.0"), "ready");
        // A revision that cannot be parsed: rejected, the last good kept, and counted.
        Files.writeString(policies.resolve("tiers.yaml"), "spec: [unclosed\n", java.nio.file.StandardOpenOption.APPEND);
        String metrics = awaitMetrics(port, log, m -> m.contains("temper_policy_rejections_total 1.0"), "the rejection counted");
        return metrics;
    }

    static String awaitMetrics(int port, Path log, java.util.function.Predicate<String> p, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            assertThat(agent.isAlive()).as("agent running; log:\n" + Files.readString(log)).isTrue();
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    last = r.body();
                    if (p.test(last)) return last;
                }
            } catch (IOException notYet) {
                // the API starts after the first pass
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; last /metrics:\n" + last + "\nlog:\n" + Files.readString(log));
    }

    static String scrapeStatusServerWithSchedulerStats() throws Exception {
        var s = Fixtures.attached(Fixtures.tiers()).withStats(Fixtures.stats());
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (var server = StatusServer.start(() -> s, (on, actor, reason) -> true, registry, Access.staticTokens(StaticTokens.none()), AuditLog.inMemory(), "127.0.0.1", 0)) {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    record Run(int exit, String output) {
    }

    static Run promtool(String stdin, String... args) throws Exception {
        Path promtool = Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "promtool")).filter(Files::isExecutable)
                .findFirst().orElseGet(() -> fail("promtool not found on PATH; install Debian's prometheus package "
                        + "(scripts/setup-debian.sh does)"));
        List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("promtool " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Run(p.exitValue(), out);
    }

    @Test
    void theRulesPassPromtoolsCheckAndTheirUnitTests() throws Exception {
        Run check = promtool(null, "check", "rules", RULES.toString());
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 11 rules found");
        // promtool resolves rule_files relative to the test file.
        Run test = promtool(null, "test", "rules", RULE_TESTS.toString());
        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void theChartShipsTheSameRules() throws Exception {
        assertThat(Files.readString(CHART_RULES)).isEqualTo(Files.readString(RULES));
    }

    /**
     * `promtool check metrics` (Prometheus' own lint: HELP on every metric, _total on counters,
     * base units, snake_case) finds nothing on any of the three scrapes.
     */
    @Test
    void promtoolCheckMetricsFindsNothing() throws Exception {
        for (String body : List.of(startMetrics, liveMetrics, schedulerMetrics)) {
            Run r = promtool(body, "check", "metrics");
            assertThat(r.output()).as("promtool check metrics findings").isBlank();
            assertThat(r.exit()).as(r.output()).isZero();
        }
    }

    /**
     * The first scrape of a ready agent, before any rejection, failed poll, ejection or safe-mode
     * request, lists every metric family with its HELP and TYPE, and every label value of the
     * event counters at 0, so that the first event of each kind is an increase Prometheus sees.
     */
    @Test
    void everySeriesIsThereFromTheStart() {
        Map<String, String> types = new TreeMap<>();
        Map<String, String> help = new TreeMap<>();
        for (String l : startMetrics.lines().toList()) {
            String[] f = l.split(" ", 4);
            if (l.startsWith("# TYPE ")) types.put(f[2], f[3]);
            if (l.startsWith("# HELP ")) help.put(f[2], f.length > 3 ? f[3].strip() : "");
        }
        assertThat(types).as("metric families and their types at start").isEqualTo(FAMILIES);
        assertThat(help.keySet()).isEqualTo(FAMILIES.keySet());
        assertThat(help).allSatisfy((name, text) -> assertThat(text).as("HELP of " + name).isNotBlank());
        assertThat(startMetrics).doesNotContain("quantile=", "_max ", "_max{");

        List<String> zeroAtStart = new ArrayList<>(List.of("temper_policy_rejections_total 0.0", "temper_policy_poll_failures_total 0.0",
                "temper_safe_mode_transitions_total{to=\"on\"} 0.0", "temper_safe_mode_transitions_total{to=\"off\"} 0.0"));
        for (String kind : List.of("attach_failed", "detached", "ejected", "gave_up")) {
            zeroAtStart.add("temper_scheduler_events_total{kind=\"" + kind + "\"} 0.0");
        }
        // File mode: the informers' triggers never fire, and are there all the same.
        for (String trigger : List.of("node", "pods", "safe-mode", "scheduler")) {
            zeroAtStart.add("temper_reconcile_events_total{trigger=\"" + trigger + "\"} 0.0");
        }
        // A dry run counts nothing in the scheduler: its tier series are there, at 0.
        for (String tier : List.of("critical", "high", "normal", "low", "background", "(system)")) {
            zeroAtStart.add("temper_tier_runtime_seconds_total{tier=\"" + tier + "\"} 0.0");
            zeroAtStart.add("temper_tier_wake_latency_seconds_bucket{tier=\"" + tier + "\",le=\"+Inf\"} 0");
        }
        assertThat(startMetrics.lines().toList()).containsAll(zeroAtStart);
        assertThat(startMetrics).containsPattern("temper_build_info\\{java_version=\"[^\"]+\",version=\"[^\"]+\"} 1\\b")
                .containsPattern("temper_policy_revision_info\\{revision=\"dir@sha256:[0-9a-f]{64}\"} 1\\b")
                .containsPattern("temper_reconcile_duration_seconds_bucket\\{le=\"0.001\"} \\d+");
    }

    @Test
    void everyMetricTheRulesAndTheDashboardUseIsExported() throws Exception {
        Set<String> exported = new TreeSet<>();
        for (String body : List.of(startMetrics, liveMetrics, schedulerMetrics)) {
            body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split("[{ ]", 2)[0]).forEach(exported::add);
        }
        assertThat(exported).as("the scrapes carry what the rules need").contains("temper_mode", "temper_ready",
                "temper_scheduler_attached", "temper_scheduler_events_total", "temper_policy_rejections_total",
                "temper_policy_poll_failures_total", "temper_tier_runtime_seconds_total", "temper_tier_wake_latency_seconds_bucket",
                "temper_reconcile_duration_seconds_bucket");
        Set<String> recorded = new TreeSet<>();
        for (JsonNode e : ruleEntries()) if (e.has("record")) recorded.add(e.get("record").asString());

        Set<String> unknown = new TreeSet<>();
        List<String> exprs = new ArrayList<>(ruleEntries().stream().map(e -> e.get("expr").asString()).toList());
        exprs.addAll(dashboardExprs());
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                if (!exported.contains(m.group()) && !recorded.contains(m.group())) unknown.add(m.group() + " in " + expr.strip());
            }
        }
        assertThat(unknown).as("names the agent does not export").isEmpty();
    }

    /** promtool parses every dashboard query, as recording rules of a scratch rule file. */
    @Test
    void everyDashboardQueryIsValidPromQl() throws Exception {
        List<String> exprs = dashboardExprs();
        assertThat(exprs).hasSizeGreaterThan(15);
        StringBuilder rules = new StringBuilder("groups:\n- name: dashboard\n  rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            // Grafana's own variables, as Grafana would substitute them.
            String e = exprs.get(i).replace("$__rate_interval", "5m").replace("$node", ".*");
            assertThat(e).as("no other variable").doesNotContain("$");
            rules.append("  - record: dashboard:panel_").append(i).append("\n    expr: '").append(e.replace("'", "''")).append("'\n");
        }
        Path file = Files.writeString(dir.resolve("dashboard-rules.yaml"), rules);
        Run check = promtool(null, "check", "rules", file.toString());
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + exprs.size() + " rules found");
    }

    static List<JsonNode> ruleEntries() throws IOException {
        Object yaml = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(RULES));
        JsonNode root = JsonMapper.builder().build().valueToTree(yaml);
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode g : root.get("groups")) for (JsonNode r : g.get("rules")) out.add(r);
        return out;
    }

    static List<String> dashboardExprs() throws IOException {
        JsonNode d = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        List<String> out = new ArrayList<>();
        for (JsonNode p : d.get("panels")) {
            if (p.has("targets")) for (JsonNode t : p.get("targets")) out.add(t.get("expr").asString());
        }
        return out;
    }
}
