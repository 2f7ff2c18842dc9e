package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.MockApiServer;
import codes.temper.kube.NodeStatusWriter;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.reconcile.AgentStatus;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Mode;
import codes.temper.sched.ConfigDiff;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.DryRunDriver;
import codes.temper.sched.EjectionBackoff;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in a cluster, against the fabric8 mock API server in CRUD mode (real HTTP, real
 * watches) with the production code path: informers, merge patches, events. The driver is the
 * dry run (this host has no sched_ext), which records every write the BPF driver would make.
 */
class AgentClusterTest {
    /** The dry-run driver engaged: reported as what it is, never as attached. */
    static final String ENGAGED = "dry-run:--driver dry-run was requested";
    /** No kernel BTF: the probe answers "unknown" (= cannot enforce cpu.max), whatever kernel runs the test. */
    private static final Path NO_KERNEL_BTF = Path.of("/nonexistent/kernel/btf/vmlinux");

    static final Path EXAMPLES = Path.of("../policies/examples");

    @TempDir
    Path dir;
    MockApiServer api;
    KubernetesClient client;
    Agent agent;
    Path cgroups;

    @BeforeEach
    void cluster() throws Exception {
        api = new MockApiServer();
        client = api.client();
        cgroups = Files.createDirectories(dir.resolve("cgroup"));
        client.resource(Snapshots.readNode(EXAMPLES.resolve("node.yaml"))).create();
        for (Pod p : Snapshots.readPods(EXAMPLES.resolve("pods.yaml"))) {
            // The server assigns the uid, and the uid names the cgroup: make it from what came back.
            Pod created = client.resource(p).create();
            Files.createDirectories(cgroups.resolve(PodFacts.of(created, CgroupDriver.SYSTEMD).cgroup()));
        }
    }

    @AfterEach
    void down() {
        if (agent != null) agent.close();
        client.close();
        api.close();
    }

    Agent start() throws Exception {
        return start("../policies", Duration.ofMinutes(1));
    }

    Agent start(String policies, Duration poll) throws Exception {
        return start(client, policies, poll);
    }

    Agent start(KubernetesClient agentClient, String policies, Duration poll) throws Exception {
        Agent.Options o = new Agent.Options("node-a", agentClient, null, null, policies, null, null, null, Duration.ofSeconds(5),
                poll, null, Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN, null, cgroups, CgroupDriver.SYSTEMD,
                new Reconciler.Pacing(Reconciler.Pacing.DEFAULT.debounce(), Reconciler.Pacing.DEFAULT.maxDelay(), Duration.ofMinutes(5),
                        Duration.ofMillis(200)),
                EjectionBackoff.defaults(), null, NO_KERNEL_BTF);
        agent = new Agent(o).start();
        return agent;
    }

    DryRunDriver dryRun() {
        return (DryRunDriver) agent.supervisor().driver();
    }

    Map<String, String> annotations() {
        Map<String, String> a = client.nodes().withName("node-a").get().getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    long cgroupId(Pod p) throws Exception {
        return ((Number) Files.getAttribute(cgroups.resolve(PodFacts.of(p, CgroupDriver.SYSTEMD).cgroup()), "unix:ino")).longValue();
    }

    /** As {@code kubectl annotate node node-a temper.codes/safe-mode-requested=...} does it: a merge patch. */
    void annotate(String jsonValue) {
        client.nodes().withName("node-a").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"temper.codes/safe-mode-requested\":" + jsonValue + "}}}");
    }

    static final Duration WAIT = Duration.ofSeconds(20);

    static void await(BooleanSupplier p, String what) throws InterruptedException {
        Await.until(what, WAIT, p);
    }

    AgentStatus awaitStatus(Predicate<AgentStatus> p, String what) throws InterruptedException {
        return Await.status(agent, WAIT, p, what);
    }

    double reconciles() {
        return agent.counters().passes();
    }

    @Test
    void attachesAndReportsOnTheNode() throws Exception {
        start();
        awaitStatus(s -> s.agentStatus().equals(ENGAGED), "attached");
        assertThat(dryRun().applied().podTiers()).hasSize(29);
        await(() -> ENGAGED.equals(annotations().get(NodeStatusWriter.STATUS_ANNOTATION)), "agent-status annotation");
        assertThat(annotations().get(NodeStatusWriter.REVISION_ANNOTATION)).startsWith("dir@sha256:");
        // The tiers in force, by rank, with their ceilings, for the fleet page: the default policy's
        // five, background capped at 25 % of the node's 7.91 allocatable CPUs.
        assertThat(annotations().get(NodeStatusWriter.TIERS_ANNOTATION))
                .matches("critical \\(max 7\\.91 CPUs\\), high .*, normal .*, low .*, background \\(max 1\\.9775 CPUs\\)");
        // The node's own annotations survive our merge patches.
        assertThat(annotations()).containsKey("node.alpha.kubernetes.io/ttl");
    }

    /**
     * docs/permissions.md, the agent's ClusterRole: every request the agent makes is granted, and
     * every grant on the objects it watches and writes (nodes, pods, events) is used. The agent
     * gets a client of its own, told apart by its User-Agent, and goes through attach, its
     * annotations, a kill-switch round trip and the Events of its mode changes. The status API's
     * reviews (tokenreviews, subjectaccessreviews) are KubernetesAuthApiTest's.
     */
    @Test
    void everyRequestOfTheAgentIsGrantedByItsRoleAndItsGrantsOnNodesPodsAndEventsAreUsed() throws Exception {
        String ua = "temper-agent-rbac-test";
        try (KubernetesClient own = api.client(ua)) {
            start(own, "../policies", Duration.ofMinutes(1));
            awaitStatus(s -> s.agentStatus().equals(ENGAGED), "attached");
            await(() -> ENGAGED.equals(annotations().get(NodeStatusWriter.STATUS_ANNOTATION)), "agent-status annotation");
            annotate("\"true\"");
            await(() -> "safe-mode".equals(annotations().get(NodeStatusWriter.STATUS_ANNOTATION)), "safe-mode annotation");
            await(() -> client.v1().events().inNamespace("default").list().getItems().stream()
                    .anyMatch(e -> "TemperModeChanged".equals(e.getReason())), "mode-change event");
            agent.close();
            agent = null;
        }
        var requests = codes.temper.kube.RbacUse.used(api.takeRequests(), ua);
        java.util.Set<String> used = requests.keySet();
        java.util.Set<String> granted = codes.temper.kube.RbacUse.granted(codes.temper.kube.RbacUse.DEPLOY.resolve("agent/rbac.yaml"));
        assertThat(used).as("what the agent asked of the API server").isNotEmpty();
        assertThat(granted).as("the agent's ClusterRole").containsAll(used);
        assertThat(granted.stream().filter(g -> g.startsWith("core ") || g.startsWith("events.k8s.io ")).filter(g -> !used.contains(g)))
                .as("grants on nodes, pods and events the agent never used (it used " + requests + ")").isEmpty();
    }

    @Test
    void podsCreatedDeletedAndRelabelledAreFollowedAndABurstIsBatched() throws Exception {
        // The default policy ignores the tier label; this one heeds it in the shop's namespace,
        // where the burst below moves pods up and down by it.
        Path policies = Files.createDirectories(dir.resolve("label-policies"));
        Files.copy(Path.of("../policies/nodes.yaml"), policies.resolve("nodes.yaml"));
        Files.writeString(policies.resolve("tiers.yaml"), Files.readString(Path.of("../policies/tiers.yaml"))
                .replace("  allowLabelOverride: false\n", "  allowLabelOverride: true\n  labelOverrideNamespaces: [shop]\n"));
        start(policies.toString(), Duration.ofMinutes(1));
        awaitStatus(s -> s.agentStatus().equals(ENGAGED), "attached");
        Pod web = client.pods().inNamespace("shop").withName("frontend-6b9c7d8f5-mnb2x").get();
        long webId = cgroupId(web);
        int tierBefore = dryRun().applied().podTiers().get(webId);

        client.pods().inNamespace("shop").withName("frontend-6b9c7d8f5-mnb2x").edit(p -> new PodBuilder(p).editMetadata()
                .addToLabels("temper.codes/tier", "background").endMetadata().build());
        await(() -> dryRun().applied().podTiers().get(webId) == 4, "relabelled pod moved to background (was tier " + tierBefore + ")");

        client.pods().inNamespace("shop").withName("frontend-6b9c7d8f5-mnb2x").delete();
        await(() -> !dryRun().applied().podTiers().containsKey(webId), "deleted pod unmapped");

        Pod extra = new PodBuilder(web).editMetadata().withName("web-9").withUid("0f0f0f0f-0000-4000-8000-000000000009")
                .withResourceVersion(null).withLabels(Map.of()).endMetadata().build();
        extra = client.resource(extra).create();
        Files.createDirectories(cgroups.resolve(PodFacts.of(extra, CgroupDriver.SYSTEMD).cgroup()));
        long extraId = cgroupId(extra);
        await(() -> dryRun().applied().podTiers().containsKey(extraId), "created pod mapped");

        // A burst: 1,000 pod events (200 pods created, then each relabelled 4 times).
        await(() -> agent.status().lastReconfiguration() != null, "settled");
        Thread.sleep(300);
        double before = reconciles();
        long appliesBefore = dryRun().applies();
        long burstStart = System.nanoTime();
        Pod template = extra;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            List<java.util.concurrent.Future<?>> created = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                created.add(pool.submit(() -> {
                    Pod p = client.resource(new PodBuilder(template).editMetadata().withName("burst-" + n).withUid(null)
                            .withResourceVersion(null).endMetadata().build()).create();
                    Files.createDirectories(cgroups.resolve(PodFacts.of(p, CgroupDriver.SYSTEMD).cgroup()));
                    return null;
                }));
            }
            for (var f : created) f.get();
            for (int round = 0; round < 4; round++) {
                String tier = round % 2 == 0 ? "low" : "high";
                List<java.util.concurrent.Future<?>> edits = new java.util.ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String name = "burst-" + i;
                    edits.add(pool.submit(() -> client.pods().inNamespace("shop").withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"labels\":{\"temper.codes/tier\":\"" + tier + "\"}}}")));
                }
                for (var f : edits) f.get();
            }
        } finally {
            pool.shutdown();
        }
        double burstMs = (System.nanoTime() - burstStart) / 1e6;
        await(() -> dryRun().applied().podTiers().size() == 29 + 200, "all 200 burst pods mapped");
        // The last round put every burst pod in "high" (rank 1), next to the 4 pods already there.
        await(() -> dryRun().applied().podTiers().values().stream().filter(t -> t == 1).count() == 204, "burst settled in tier high");
        // The events reach the agent through its watch until the burst has settled, later than the
        // client sent them on a loaded machine: the window the pacing sees ends here.
        double settledMs = (System.nanoTime() - burstStart) / 1e6;
        Thread.sleep(Reconciler.Pacing.DEFAULT.maxDelay().toMillis() + 200); // the last window
        double passes = reconciles() - before;
        int applies = (int) (dryRun().applies() - appliesBefore);
        System.out.printf("burst of 1000 pod events sent over %.0f ms, settled after %.0f ms: %.0f reconcile passes, %d applies%n",
                burstMs, settledMs, passes, applies);
        // Batched, never one pass per event. The exact pacing (a pass after 200 ms of quiet, at
        // most one per 2 s while events keep coming) is CoalescingTest's, on a virtual clock: here
        // a loaded machine leaves quiet gaps inside the burst, each rightly a pass, so a bound on
        // wall time would test the machine. One pass per 20 events at most holds on any machine.
        long bound = 1000 / 20;
        assertThat(passes).isGreaterThan(0).isLessThanOrEqualTo(bound);
        assertThat(applies).isLessThanOrEqualTo((int) bound);
        List<ConfigDiff> history = dryRun().history();
        assertThat(history.subList(history.size() - applies, history.size()).stream().mapToInt(ConfigDiff::writes).sum())
                .as("writes are only the changes").isLessThan(1000);
    }

    @Test
    void theAnnotationKillSwitchDetachesAndItsRemovalReEngages() throws Exception {
        start();
        awaitStatus(s -> s.agentStatus().equals(ENGAGED), "attached");
        annotate("\"true\"");
        await(() -> !dryRun().attached(), "detached");
        awaitStatus(s -> s.mode() == Mode.SAFE_MODE, "safe-mode status");
        await(() -> "safe-mode".equals(annotations().get(NodeStatusWriter.STATUS_ANNOTATION)), "safe-mode annotation");

        annotate("null");
        awaitStatus(s -> s.agentStatus().equals(ENGAGED), "re-attached");
        assertThat(dryRun().attached()).isTrue();
        await(() -> ENGAGED.equals(annotations().get(NodeStatusWriter.STATUS_ANNOTATION)), "attached annotation");

        // An odd value still counts (fail-safe) and is reported as odd.
        annotate("\"yes please\"");
        AgentStatus st = awaitStatus(s -> s.mode() == Mode.SAFE_MODE, "odd value");
        assertThat(st.reasons()).anyMatch(r -> r.contains("\"yes please\" (not true or false; taken as a request)"));
        await(() -> client.v1().events().inNamespace("default").list().getItems().stream()
                .anyMatch(e -> "TemperModeChanged".equals(e.getReason()) && e.getMessage().contains("dry-run -> safe-mode")), "mode-change event");
    }

    @Test
    void aRejectedRevisionIsAnEventAndTheLastGoodStays() throws Exception {
        Path policies = Files.createDirectories(dir.resolve("policies"));
        for (String f : List.of("tiers.yaml", "nodes.yaml")) Files.copy(Path.of("../policies").resolve(f), policies.resolve(f));
        start(policies.toString(), Duration.ofMillis(200));
        String good = awaitStatus(s -> s.agentStatus().equals(ENGAGED), "attached").policyRevision();
        Path tiers = policies.resolve("tiers.yaml");
        Files.writeString(tiers, Files.readString(tiers).replaceFirst("cpus: \"25%\"", "cpus: \"150%\""));
        await(() -> client.v1().events().inNamespace("default").list().getItems().stream()
                .anyMatch(e -> "TemperPolicyRejected".equals(e.getReason()) && e.getMessage().contains("tiers.yaml")
                        && e.getMessage().contains("150%")), "rejection event naming the file and the value");
        // The Event names the revision refused, not the one still in force (issue 25, point 2).
        Map<String, String> broken = new java.util.HashMap<>();
        for (String f : List.of("tiers.yaml", "nodes.yaml")) broken.put(f, Files.readString(policies.resolve(f)));
        String refused = codes.temper.source.DirRevision.of(broken);
        assertThat(client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "TemperPolicyRejected".equals(e.getReason())).map(e -> e.getMessage()))
                .singleElement().asString().startsWith("policy revision " + refused + " rejected").doesNotContain(good);
        assertThat(agent.status().policyRevision()).isEqualTo(good);
        assertThat(agent.status().agentStatus()).isEqualTo(ENGAGED);
    }

    @Test
    void anExcludedNodeNeverAttachesAndSaysWhy() throws Exception {
        client.nodes().withName("node-a").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"temper.codes/cpu-quota\":\"strict\"}}}");
        start();
        AgentStatus st = awaitStatus(s -> s.mode() == Mode.EXCLUDED, "excluded");
        assertThat(st.agentStatus()).startsWith("excluded:").contains("strict-cpu-quota");
        await(() -> annotations().getOrDefault(NodeStatusWriter.STATUS_ANNOTATION, "").startsWith("excluded:"), "excluded annotation");
        Thread.sleep(500);
        assertThat(dryRun().history()).as("never attached, not even once").isEmpty();
        assertThat(dryRun().attached()).isFalse();
    }

    @Test
    void anApiServerOutageKeepsTheStateAndItsReturnResyncs() throws Exception {
        start();
        awaitStatus(s -> s.agentStatus().equals(ENGAGED), "attached");
        api.stop();
        Thread.sleep(1500);
        AgentStatus during = agent.status();
        assertThat(during.mode()).isEqualTo(Mode.DRY_RUN);
        assertThat(dryRun().attached()).isTrue();
        assertThat(dryRun().applied().podTiers()).hasSize(29);

        assertThat(agent.world().problem()).get().asString().contains("not watching the API server");

        api.start();
        // Back: the informers re-list and re-watch by themselves. The mock's watch, unlike
        // kube-apiserver's, does not replay events since the listed resourceVersion, so a change
        // made between the re-list and the new watch would be lost here (never in a cluster):
        // wait until the agent watches again, then change something.
        await(() -> agent.world().problem().isEmpty(), "watching again");
        Pod web = client.pods().inNamespace("shop").withName("frontend-6b9c7d8f5-mnb2x").get();
        long webId = cgroupId(web);
        client.pods().inNamespace("shop").withName("frontend-6b9c7d8f5-mnb2x").delete();
        await(() -> !dryRun().applied().podTiers().containsKey(webId), "change after the outage seen");
        await(() -> ENGAGED.equals(annotations().get(NodeStatusWriter.STATUS_ANNOTATION)), "status still reported");
    }
}
