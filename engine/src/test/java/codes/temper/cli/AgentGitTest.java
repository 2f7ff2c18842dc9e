package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.reconcile.AgentStatus;
import codes.temper.reconcile.Reconciler;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import codes.temper.source.GitHttpServer;
import codes.temper.source.PolicyRepo;
import codes.temper.source.PollPlan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.Predicate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent with {@code --policies <git url>}: a real smart-HTTP server (JGit's GitServlet on
 * Jetty), a commit becoming the applied revision, a broken commit refused with the last good kept,
 * a restart with the remote down coming up on the last-known-good revision and reporting its age,
 * and polls jittered per node.
 */
class AgentGitTest {
    @TempDir
    Path dir;

    Agent start(String url, Path cache) throws Exception {
        return agent(null, url, cache, Duration.ofMillis(200), null).start();
    }

    Agent agent(String node, String policies, Path cache, Duration pollInterval, Agent.Api api) throws Exception {
        return new Agent(new Agent.Options(node, null, Path.of("../policies/examples/pods.yaml"), Path.of("../policies/examples/node.yaml"),
                policies, cache, null, null, Duration.ofSeconds(5), pollInterval, null, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN,
                null, dir, CgroupDriver.SYSTEMD, Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(), api, null));
    }

    static AgentStatus await(Agent a, Predicate<AgentStatus> p, String what) throws InterruptedException {
        return Await.status(a, Duration.ofSeconds(30), p, what);
    }

    @Test
    void followsCommitsRefusesABrokenOneAndRestartsFromTheLastKnownGood() throws Exception {
        Path repos = Files.createDirectories(dir.resolve("repos"));
        Path cache = dir.resolve("cache");
        String nodes = Files.readString(Path.of("../policies/nodes.yaml"));
        try (PolicyRepo repo = new PolicyRepo(repos, "policies.git")) {
            RevCommit first = repo.commit("first", Map.of("policies/tiers.yaml", PolicyRepo.tiers("100%"), "policies/nodes.yaml", nodes));
            GitHttpServer server = new GitHttpServer(repos, null, null).start();
            String url = "http://127.0.0.1:" + server.port() + "/policies.git#main:policies";
            Agent agent = start(url, cache);
            RevCommit second;
            try {
                AgentStatus st = await(agent, s -> ("main@sha1:" + first.name()).equals(s.policyRevision()) && s.agentStatus().equals("dry-run:--driver dry-run was requested"), "first");
                assertThat(st.tiers()).extracting(AgentStatus.Tier::name).containsExactly("critical", "normal");

                second = repo.commit("halve critical", Map.of("policies/tiers.yaml", PolicyRepo.tiers("50%")));
                String secondRevision = "main@sha1:" + second.name();
                st = await(agent, s -> secondRevision.equals(s.policyRevision()), "second");
                assertThat(st.tiers().getFirst().ceilingCpus()).isEqualTo(3.955);

                repo.commit("broken", Map.of("policies/tiers.yaml", PolicyRepo.tiers("150%")));
                await(agent, s -> agent.counters().rejections() >= 1, "rejection counted");
                assertThat(agent.status().policyRevision()).isEqualTo("main@sha1:" + second.name());
            } finally {
                agent.close();
                server.close();
            }
            // Remote down, agent restarted: it comes up on the last good revision from its cache dir.
            Agent again = start("http://127.0.0.1:" + server.port() + "/policies.git#main:policies", cache);
            try {
                AgentStatus st = await(again, s -> s.agentStatus().equals("dry-run:--driver dry-run was requested"), "attached from last-known-good");
                assertThat(st.policyRevision()).isEqualTo("main@sha1:" + second.name());
            } finally {
                again.close();
            }
        }
    }

    @Test
    void twoAgentsWithTheSamePollIntervalDoNotPollInLockstep() throws Exception {
        Duration minute = Duration.ofSeconds(60);
        try (Agent a = agent("node-a", "../policies", null, minute, null); Agent b = agent("node-b", "../policies", null, minute, null)) {
            assertThat(a.pollPlan().interval()).isEqualTo(minute);
            assertThat(a.pollPlan().jitter()).isEqualTo(PollPlan.DEFAULT_JITTER);
            List<Duration> atA = a.pollPlan().pollTimes(20), atB = b.pollPlan().pollTimes(20);
            for (int i = 0; i < 20; i++) {
                assertThat(atA.get(i)).as("poll %d", i + 1).isNotEqualTo(atB.get(i));
            }
            assertThat(a.pollPlan().delays(20)).isNotEqualTo(b.pollPlan().delays(20)).doesNotContain(minute);
        }
    }

    @Test
    void statusAndMetricsReportTheLastKnownGoodRevisionsAge() throws Exception {
        Path repos = Files.createDirectories(dir.resolve("repos"));
        Path cache = dir.resolve("cache");
        try (PolicyRepo repo = new PolicyRepo(repos, "policies.git")) {
            RevCommit only = repo.commit("first", Map.of("policies/tiers.yaml", PolicyRepo.tiers("100%")));
            String revision = "main@sha1:" + only.name();
            GitHttpServer server = new GitHttpServer(repos, null, null).start();
            String url = "http://127.0.0.1:" + server.port() + "/policies.git#main:policies";
            try (Agent first = start(url, cache)) {
                await(first, s -> revision.equals(s.policyRevision()), "first revision");
            } finally {
                server.close();
            }
            // As far as the last-known-good file says, the revision was fetched two hours ago.
            Path lkg = cache.resolve("last-known-good.json");
            String stored = Files.readString(lkg);
            assertThat(stored).containsPattern("\"fetchedAt\":\"[^\"]+\"");
            Files.writeString(lkg, stored.replaceFirst("\"fetchedAt\":\"[^\"]+\"",
                    "\"fetchedAt\":\"" + Instant.now().minus(Duration.ofHours(2)) + "\""));

            // Remote down: the agent comes up on that revision, and says how old it is.
            try (Agent again = agent(null, url, cache, Duration.ofMinutes(10), new Agent.Api("127.0.0.1", 0, null, null)).start()) {
                await(again, s -> s.agentStatus().equals("dry-run:--driver dry-run was requested"), "attached from last-known-good");
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + again.apiPort();
                JsonNode source = JsonMapper.builder().build().readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).get("policySource");
                assertThat(source.get("revision").asString()).isEqualTo(revision);
                assertThat(source.get("fromLastKnownGood").asBoolean()).isTrue();
                assertThat(source.get("ageSeconds").asDouble()).isBetween(7200.0, 7200.0 + 600);
                assertThat(source.get("consecutiveFailures").asInt()).isPositive();
                assertThat(source.get("lastFailure").asString()).isNotBlank();
                assertThat(source.get("nextPollAt").asString()).isNotBlank();

                String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher age = Pattern.compile("(?m)^temper_policy_age_seconds (\\S+)$").matcher(metrics);
                assertThat(age.find()).as(metrics).isTrue();
                assertThat(Double.parseDouble(age.group(1))).isBetween(7200.0, 7200.0 + 600);
            }
        }
    }

    /**
     * Issue 13, item 5: a token in the user part or the query of the policy URL appears nowhere:
     * not in the log (start line and every failed poll), the status, or plan's error.
     */
    @Test
    void credentialsInThePolicyUrlAreRedactedEverywhere() throws Exception {
        Path repos = Files.createDirectories(dir.resolve("repos"));
        GitHttpServer server = new GitHttpServer(repos, null, null).start();
        String url = "http://SECRETUSERTOKEN@127.0.0.1:" + server.port() + "/missing.git?private_token=SECRETQUERY#main";
        var records = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                Object[] params = r.getParameters();
                records.add(java.text.MessageFormat.format(r.getMessage().replace("'", "''"), params == null ? new Object[0] : params)
                        + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger.getLogger("").addHandler(handler);
        try {
            Agent agent = agent(null, url, dir.resolve("cache"), Duration.ofMillis(100), null).start();
            try {
                AgentStatus st = await(agent, s -> s.policySource() != null && s.policySource().consecutiveFailures() >= 2, "two failed polls");
                assertThat(st.toString()).doesNotContain("SECRET").contains("http://***@127.0.0.1:" + server.port() + "/missing.git");
            } finally {
                agent.close();
            }
            CliRun plan = CliRun.of("plan", "--policies", url, "--pods", "../policies/examples/pods.yaml", "--node", "../policies/examples/node.yaml");
            assertThat(plan.code()).isEqualTo(1);
            assertThat(plan.out() + plan.err()).doesNotContain("SECRET").contains("***@127.0.0.1");
        } finally {
            java.util.logging.Logger.getLogger("").removeHandler(handler);
            server.close();
        }
        assertThat(records).anyMatch(r -> r.contains("policy source unreachable"));
        assertThat(records).allSatisfy(r -> assertThat(r).doesNotContain("SECRET"));
    }
}
