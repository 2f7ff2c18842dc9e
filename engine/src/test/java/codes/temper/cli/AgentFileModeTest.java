package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.reconcile.AgentStatus;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Mode;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.EjectionBackoff;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent without a cluster, as `temper agent --pods-file F --node-file F --safe-mode-file P`
 * runs it: real files, the real rules, the dry-run driver (this host has no sched_ext) recording
 * exactly what the BPF driver would write, real cgroup directories for the ids.
 */
class AgentFileModeTest {
    static final Path POLICIES = Path.of("../policies");
    static final Path EXAMPLES = POLICIES.resolve("examples");

    @TempDir
    Path dir;
    Agent agent;

    Path pods, node, cg;

    /** Each test's own copy of the example snapshots, and an empty cgroup tree. */
    @BeforeEach
    void files() throws Exception {
        pods = Files.copy(EXAMPLES.resolve("pods.yaml"), dir.resolve("pods.yaml"));
        node = Files.copy(EXAMPLES.resolve("node.yaml"), dir.resolve("node.yaml"));
        cg = Files.createDirectories(dir.resolve("cgroup"));
    }

    @AfterEach
    void stop() {
        if (agent != null) agent.close();
    }

    Agent start(Path pods, Path node, Path safeMode, Path cgroupRoot) throws Exception {
        return start(pods, node, safeMode, cgroupRoot, CgroupDriver.SYSTEMD);
    }

    Agent start(Path pods, Path node, Path safeMode, Path cgroupRoot, CgroupDriver driver) throws Exception {
        Agent.Options o = new Agent.Options(null, null, pods, node, POLICIES.toString(), null, null, null, Duration.ofSeconds(5),
                Duration.ofSeconds(1), safeMode, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN, null, cgroupRoot, driver,
                new Reconciler.Pacing(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMinutes(5), Duration.ofMillis(200)),
                EjectionBackoff.defaults(), null, null);
        agent = new Agent(o).start();
        return agent;
    }

    static AgentStatus await(Agent a, Predicate<AgentStatus> p, String what) throws InterruptedException {
        return Await.status(a, Duration.ofSeconds(20), p, what);
    }

    /** Creates the pod-level cgroup directory of every pod in the file, as the kubelet would. */
    static void makeCgroups(Path pods, Path root) throws Exception {
        for (Pod p : Snapshots.readPods(pods)) Files.createDirectories(root.resolve(PodFacts.of(p, CgroupDriver.SYSTEMD).cgroup()));
    }

    DryRunDriver dryRun() {
        return (DryRunDriver) agent.supervisor().driver();
    }

    @Test
    void attachesThenFollowsSafeModeFileAndPodChurn() throws Exception {
        makeCgroups(pods, cg);
        Path safe = dir.resolve("safe-mode");
        start(pods, node, safe, cg);

        AgentStatus st = await(agent, s -> s.mode() == Mode.DRY_RUN && s.ready(), "attach");
        assertThat(st.node()).isEqualTo("node-a");
        assertThat(st.agentStatus()).as("a dry run, never attached").isEqualTo("dry-run:--driver dry-run was requested");
        assertThat(st.policyRevision()).startsWith("dir@sha256:");
        assertThat(st.scheduler().driver()).isEqualTo("dry-run");
        assertThat(st.scheduler().dryRunWhy()).contains("--driver dry-run");
        // The same 29 placements as `temper plan` on these files, each by its cgroup's inode.
        assertThat(dryRun().applied().podTiers()).hasSize(29);
        assertThat(st.tiers()).extracting(AgentStatus.Tier::pods).containsExactly(10, 4, 8, 1, 6); // the example's tier labels are ignored by default
        // The config entry: the pods root's inode, the default policy's default tier (normal) and
        // system work's default floor, 10 % of the example node's 7.91 allocatable CPUs.
        long podsRoot = ((Number) Files.getAttribute(cg.resolve("kubepods.slice"), "unix:ino")).longValue();
        assertThat(dryRun().applied().node()).isEqualTo(new codes.temper.sched.NodeConfig(podsRoot, 2, 791));
        assertThat(dryRun().applied().pods().values()).allSatisfy(p -> assertThat(p.weight()).isBetween(1, 10_000));
        // A dry run counts nothing, and the status says so instead of showing zeros.
        assertThat(agent.status().stats().available()).isFalse();
        assertThat(agent.status().stats().why()).startsWith("dry run: no scheduler is loaded");

        Files.createFile(safe);
        st = await(agent, s -> s.mode() == Mode.SAFE_MODE, "safe mode from the file");
        assertThat(st.agentStatus()).isEqualTo("safe-mode");
        assertThat(st.reasons()).anyMatch(r -> r.contains(safe.toString()));
        assertThat(agent.supervisor().driver().attached()).isFalse();

        Files.delete(safe);
        await(agent, s -> s.mode() == Mode.DRY_RUN && s.scheduler().phase().equals("DRY_RUN"), "re-engaged");
        assertThat(agent.supervisor().driver().attached()).isTrue();

        // Pod churn: drop every pod of one namespace; the scheduler's map follows.
        String yaml = Files.readString(pods);
        List<Pod> all = Snapshots.readPods(pods);
        long kept = all.stream().filter(p -> !p.getMetadata().getNamespace().equals("batch")).count();
        assertThat(kept).isLessThan(all.size());
        String filtered = io.fabric8.kubernetes.client.utils.Serialization.asYaml(new io.fabric8.kubernetes.api.model.PodListBuilder()
                .withItems(all.stream().filter(p -> !p.getMetadata().getNamespace().equals("batch")).toList()).build());
        Path tmp = dir.resolve("pods.tmp");
        Files.writeString(tmp, filtered);
        Files.move(tmp, pods, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        int before = 29;
        await(agent, s -> dryRun().applied().podTiers().size() < before, "pods removed");
        assertThat(yaml).contains("namespace: batch");
    }

    @Test
    void aCgroupfsNodeIsRecognisedByItsLayoutAndItsPodsAreFound() throws Exception {
        for (Pod p : Snapshots.readPods(pods)) Files.createDirectories(cg.resolve(PodFacts.of(p, CgroupDriver.CGROUPFS).cgroup()));
        assertThat(AgentHost.detectCgroupDriver(cg)).isEqualTo(CgroupDriver.CGROUPFS);
        assertThat(AgentHost.detectCgroupDriver(dir.resolve("elsewhere"))).isEqualTo(CgroupDriver.SYSTEMD);
        start(pods, node, null, cg, null); // no --cgroup-driver: detected
        await(agent, s -> s.mode() == Mode.DRY_RUN && s.ready(), "attach");
        await(agent, s -> dryRun().applied().podTiers().size() == 29, "all 29 pods found under kubepods/");
        assertThat(dryRun().applied().node().podsCgroupId())
                .isEqualTo(((Number) Files.getAttribute(cg.resolve("kubepods"), "unix:ino")).longValue());
    }

    @Test
    void aPodWhoseCgroupAppearsLaterIsPickedUpByTheRetry() throws Exception {
        start(pods, node, null, cg);
        AgentStatus st = await(agent, s -> s.mode() == Mode.DRY_RUN && s.ready(), "attach");
        assertThat(dryRun().applied().podTiers()).isEmpty();
        assertThat(st.reasons()).anyMatch(r -> r.contains("29 pod(s) without a cgroup yet"));
        // No kubepods.slice either: the scheduler is told 0, and the status says what that means.
        assertThat(st.reasons()).anyMatch(r -> r.startsWith("pods root cgroup kubepods.slice not found under " + cg));
        assertThat(dryRun().applied().node().podsCgroupId()).isZero();
        makeCgroups(pods, cg);
        await(agent, s -> dryRun().applied().podTiers().size() == 29, "retry found the cgroups");
        assertThat(dryRun().applied().node().podsCgroupId()).isPositive();
        await(agent, s -> s.reasons().stream().noneMatch(r -> r.startsWith("pods root cgroup")), "the pods root reason gone");
    }

    @Test
    void anInvalidPodsFileKeepsTheLastGoodView() throws Exception {
        makeCgroups(pods, cg);
        start(pods, node, null, cg);
        await(agent, s -> dryRun().applied().podTiers().size() == 29, "attach");
        Files.writeString(pods, "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata: {name: [oops]}\n");
        AgentStatus st = await(agent, s -> s.reasons().stream().anyMatch(r -> r.contains("view may be stale")), "problem reported");
        assertThat(st.reasons()).anyMatch(r -> r.contains(pods.toString()));
        assertThat(dryRun().applied().podTiers()).hasSize(29);
        assertThat(st.mode()).isEqualTo(Mode.DRY_RUN);
    }
}
