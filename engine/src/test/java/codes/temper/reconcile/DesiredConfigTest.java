package codes.temper.reconcile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.policy.QosClass;
import codes.temper.rules.Decision;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.rules.RuleEngine;
import codes.temper.sched.NodeConfig;
import codes.temper.sched.PodConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision -> scheduler translation: weights, the pods root, and the policy's default tier. */
class DesiredConfigTest {
    static final NodeFact NODE = new NodeFact("node-a", Map.of(), null, "6.12.57+deb13-cloud-amd64", 6012, 8000);
    static final RuleEngine RULES = RuleEngine.get();

    @TempDir
    Path cgroupRoot;

    static PolicySet policy(String yaml) throws Exception {
        return new PolicyParser().parse(List.of(new PolicyFile("t.yaml", yaml.getBytes(UTF_8))));
    }

    static PolicySet shippedPolicy() throws Exception {
        return new PolicyParser().parse(PolicyDirectory.read(Path.of("../policies")));
    }

    static String tiers(String defaultTier, String normalMatch) {
        return """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: default}
                spec:
                  %s
                  tiers:
                  - {name: critical, match: [{priorityAtLeast: 1000000}], sliceMs: 5, preempt: true}
                  - {name: normal, match: [%s], sliceMs: 20}
                  - {name: low, match: [{priorityAtLeast: -100}], sliceMs: 30}
                  - name: background
                    match: [{priorityBelow: -100}, {qosClass: BestEffort, noPriorityClass: true}]
                    sliceMs: 5
                """.formatted(defaultTier, normalMatch);
    }

    static PodFact pod(String name, QosClass qos, long priority, long requestMillis, String cgroup) {
        return pod(name, qos, priority, requestMillis, -1, cgroup);
    }

    static PodFact pod(String name, QosClass qos, long priority, long requestMillis, long limitMillis, String cgroup) {
        return new PodFact("uid-" + name, "ns", name, "node-a", "Running", qos, priority, false, null, null, limitMillis, requestMillis,
                cgroup, false);
    }

    long mkdir(String relative) throws IOException {
        return ((Number) Files.getAttribute(Files.createDirectories(cgroupRoot.resolve(relative)), "unix:ino")).longValue();
    }

    @Test
    void theShippedPolicysDefaultTierIsNormal() throws Exception {
        // Burstable, priority 0, no PriorityClass: "normal" (rank 2) in policies/tiers.yaml.
        assertThat(DefaultTier.of(RULES, shippedPolicy(), NODE)).hasValue(2);
    }

    @Test
    void theDefaultTierFollowsThePolicysEntriesAndItsDefaultTier() throws Exception {
        assertThat(DefaultTier.of(RULES, policy(tiers("", "{priorityAtLeast: 0}")), NODE)).hasValue(1);
        // A class-less entry for Burstable pods wins over the priority entries, as for a real pod.
        assertThat(DefaultTier.of(RULES, policy(tiers("", "{qosClass: Burstable, noPriorityClass: true}")), NODE)).hasValue(1);
        // No match entry places the ordinary pod: spec.defaultTier does.
        PolicySet noMatch = policy("""
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: default}
                spec:
                  defaultTier: background
                  tiers:
                  - {name: critical, match: [{priorityAtLeast: 1000000}], sliceMs: 5, preempt: true}
                  - {name: background, match: [{priorityBelow: -100}], sliceMs: 5}
                """);
        assertThat(DefaultTier.of(RULES, noMatch, NODE)).hasValue(1);
    }

    @Test
    void theProbeIsNotARealPodAndNeverCounted() throws Exception {
        PolicySet p = shippedPolicy();
        Decision d = RULES.evaluate(p, NODE, List.of());
        assertThat(d.assignments()).isEmpty();
        assertThat(DefaultTier.probe("node-a").qosClass()).isEqualTo(QosClass.Burstable);
        assertThat(DefaultTier.probe("node-a").hasPriorityClass()).isFalse();
        assertThat(DefaultTier.probe("node-a").priority()).isZero();
    }

    @Test
    void podsCarryKubeletsWeightAndTheConfigThePodsRootAndDefaultTier() throws Exception {
        long root = mkdir("kubepods.slice");
        String web = CgroupDriver.SYSTEMD.podPath(QosClass.Burstable, "web");
        String batch = CgroupDriver.SYSTEMD.podPath(QosClass.BestEffort, "batch");
        long webId = mkdir(web), batchId = mkdir(batch);
        PolicySet p = shippedPolicy();
        Decision d = RULES.evaluate(p, NODE, List.of(
                pod("web", QosClass.Burstable, 0, 1000, web),
                pod("batch", QosClass.BestEffort, 0, 0, batch),
                pod("new", QosClass.Burstable, 0, 250, CgroupDriver.SYSTEMD.podPath(QosClass.Burstable, "new"))));
        DesiredConfig c = DesiredConfig.of(d, new CgroupIds(cgroupRoot), CgroupDriver.SYSTEMD.podsRoot(), DefaultTier.of(RULES, p, NODE));
        assertThat(c.config().pods()).containsOnly(Map.entry(webId, new PodConfig(2, 39)), Map.entry(batchId, new PodConfig(4, 1)));
        assertThat(c.unresolvedPods()).containsExactly("ns/new");
        assertThat(c.podsRootFound()).isTrue();
        // System work's default floor: 10 % of the node's 8 allocatable CPUs.
        assertThat(c.config().node()).isEqualTo(new NodeConfig(root, 2, 800));
    }

    @Test
    void tiersCarryTheirFloorsInMillicores() throws Exception {
        PolicySet p = new PolicyParser().parse(List.of(new PolicyFile("tiers.yaml", """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: floors}
                spec:
                  system: {floor: {cpus: "0.5"}}
                  tiers:
                  - {name: critical, match: [{priorityAtLeast: 1000}], preempt: true}
                  - {name: batch, match: [{priorityAtLeast: 0}], floor: {cpus: "5%"}}
                  - {name: scavenger, floor: {cpus: "0"}}
                """.getBytes(UTF_8))));
        Decision d = RULES.evaluate(p, NODE, List.of());
        DesiredConfig c = DesiredConfig.of(d, new CgroupIds(cgroupRoot), CgroupDriver.SYSTEMD.podsRoot(), OptionalInt.empty());
        assertThat(c.config().tiers()).extracting(codes.temper.sched.TierConfig::floorMillicpus)
                .as("the default 1 %, 5 % of 8 CPUs, none").containsExactly(80L, 400L, 0L);
        assertThat(c.config().node().systemFloorMillicpus()).isEqualTo(500);
    }

    @Test
    void beforeCgroupSetBandwidthEachPodsCeilingIsItsCpuLimit() throws Exception {
        mkdir("kubepods.slice");
        String web = CgroupDriver.SYSTEMD.podPath(QosClass.Guaranteed, "web");
        String half = CgroupDriver.SYSTEMD.podPath(QosClass.Burstable, "half");
        String open = CgroupDriver.SYSTEMD.podPath(QosClass.Burstable, "open");
        String batch = CgroupDriver.SYSTEMD.podPath(QosClass.BestEffort, "batch");
        long webId = mkdir(web), halfId = mkdir(half), openId = mkdir(open), batchId = mkdir(batch);
        PolicySet p = shippedPolicy();
        Decision d = RULES.evaluate(p, NODE, List.of(
                pod("web", QosClass.Guaranteed, 0, 2000, 2000, web),
                pod("half", QosClass.Burstable, 0, 100, 500, half),
                pod("open", QosClass.Burstable, 0, 100, -1, open), // a container without a limit: no ceiling
                pod("batch", QosClass.BestEffort, 0, 0, -1, batch)));
        Map<Long, PodConfig> derived = DesiredConfig.of(d, new CgroupIds(cgroupRoot), CgroupDriver.SYSTEMD.podsRoot(), OptionalInt.of(2), true)
                .config().pods();
        assertThat(derived).containsOnly(Map.entry(webId, new PodConfig(2, 79, 2000)), Map.entry(halfId, new PodConfig(2, 4, 500)),
                Map.entry(openId, new PodConfig(2, 4, 0)), Map.entry(batchId, new PodConfig(4, 1, 0)));

        // 6.17+: the kernel hands each cgroup's cpu.max to the scheduler, so no pod ceilings.
        Map<Long, PodConfig> kernel = DesiredConfig.of(d, new CgroupIds(cgroupRoot), CgroupDriver.SYSTEMD.podsRoot(), OptionalInt.of(2), false)
                .config().pods();
        assertThat(kernel.values()).extracting(PodConfig::ceilingMillicpus).containsOnly(0L);

        // Without a say, the fail-safe: ceilings derived.
        assertThat(DesiredConfig.of(d, new CgroupIds(cgroupRoot), CgroupDriver.SYSTEMD.podsRoot(), OptionalInt.of(2)).config().pods())
                .isEqualTo(derived);
    }

    @Test
    void aPodWhoseLimitIsRemovedIsReleasedOnTheNextPass() throws Exception {
        mkdir("kubepods.slice");
        String web = CgroupDriver.SYSTEMD.podPath(QosClass.Burstable, "web");
        long webId = mkdir(web);
        PolicySet p = shippedPolicy();
        var before = DesiredConfig.of(RULES.evaluate(p, NODE, List.of(pod("web", QosClass.Burstable, 0, 100, 500, web))),
                new CgroupIds(cgroupRoot), CgroupDriver.SYSTEMD.podsRoot(), OptionalInt.of(2), true).config();
        var after = DesiredConfig.of(RULES.evaluate(p, NODE, List.of(pod("web", QosClass.Burstable, 0, 100, -1, web))),
                new CgroupIds(cgroupRoot), CgroupDriver.SYSTEMD.podsRoot(), OptionalInt.of(2), true).config();
        assertThat(before.pods().get(webId).ceilingMillicpus()).isEqualTo(500);
        // The driver writes what differs: the pod's entry, now without a ceiling.
        assertThat(codes.temper.sched.ConfigDiff.between(before, after).upsert()).containsExactly(Map.entry(webId, new PodConfig(2, 4, 0)));
    }

    @Test
    void withoutThePodsRootTheIdIsZero() throws Exception {
        Decision d = RULES.evaluate(shippedPolicy(), NODE, List.of());
        DesiredConfig c = DesiredConfig.of(d, new CgroupIds(cgroupRoot), CgroupDriver.CGROUPFS.podsRoot(), OptionalInt.of(2));
        assertThat(c.podsRootFound()).isFalse();
        assertThat(c.config().node()).isEqualTo(new NodeConfig(0, 2, 800));
        long root = mkdir("kubepods");
        assertThat(DesiredConfig.of(d, new CgroupIds(cgroupRoot), "kubepods", OptionalInt.empty()).config().node())
                .as("no default tier: the scheduler's own").isEqualTo(new NodeConfig(root, -1, 800));
    }
}
