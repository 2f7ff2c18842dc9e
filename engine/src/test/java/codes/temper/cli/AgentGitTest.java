package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.reconcile.AgentStatus;
import codes.temper.reconcile.Reconciler;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import codes.temper.source.GitHttpServer;
import codes.temper.source.PolicyRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent with {@code --policies <git url>}: a real smart-HTTP server (JGit's GitServlet on
 * Jetty), a commit becoming the applied revision, a broken commit refused with the last good kept,
 * and a restart with the remote down coming up on the last-known-good revision.
 */
class AgentGitTest {
    @TempDir
    Path dir;

    Agent start(String url, Path cache) throws Exception {
        return new Agent(new Agent.Options(null, null, Path.of("../policies/examples/pods.yaml"), Path.of("../policies/examples/node.yaml"),
                url, cache, null, null, Duration.ofSeconds(5), Duration.ofMillis(200), null, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN,
                null, dir, CgroupDriver.SYSTEMD, Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(), null, null)).start();
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
                AgentStatus st = await(agent, s -> ("main@sha1:" + first.name()).equals(s.policyRevision()) && s.agentStatus().equals("attached"), "first");
                assertThat(st.tiers()).extracting(AgentStatus.Tier::name).containsExactly("critical", "normal");

                second = repo.commit("halve critical", Map.of("policies/tiers.yaml", PolicyRepo.tiers("50%")));
                String secondRevision = "main@sha1:" + second.name();
                st = await(agent, s -> secondRevision.equals(s.policyRevision()), "second");
                assertThat(st.tiers().getFirst().ceilingCpus()).isEqualTo(3.955);

                repo.commit("broken", Map.of("policies/tiers.yaml", PolicyRepo.tiers("150%")));
                await(agent, s -> agent.metrics().find("temper_policy_rejections_total").counter() != null
                        && agent.metrics().find("temper_policy_rejections_total").counter().count() >= 1, "rejection counted");
                assertThat(agent.status().policyRevision()).isEqualTo("main@sha1:" + second.name());
            } finally {
                agent.close();
                server.close();
            }
            // Remote down, agent restarted: it comes up on the last good revision from its cache dir.
            Agent again = start("http://127.0.0.1:" + server.port() + "/policies.git#main:policies", cache);
            try {
                AgentStatus st = await(again, s -> s.agentStatus().equals("attached"), "attached from last-known-good");
                assertThat(st.policyRevision()).isEqualTo("main@sha1:" + second.name());
            } finally {
                again.close();
            }
        }
    }
}
