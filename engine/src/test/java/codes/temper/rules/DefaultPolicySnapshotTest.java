package codes.temper.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.policy.QosClass;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import tools.jackson.databind.json.JsonMapper;

/**
 * The default policy (policies/*.yaml) applied to the example snapshots in policies/examples/:
 * kubectl output for node-a and for every pod of a two-node cluster. The expected decision is
 * written out by hand from DESIGN.md's tier table: Critical >= 1,000,000; High >= 100,000;
 * Normal >= 0; Low >= -100; Background < -100; without a PriorityClass Guaranteed and Burstable
 * go to normal and BestEffort to background; with a class, the priority decides whatever the QoS.
 */
class DefaultPolicySnapshotTest {

    private static final Path POLICIES = Path.of("../policies");
    private static final Path PODS = POLICIES.resolve("examples/pods.yaml");
    private static final Path NODE = POLICIES.resolve("examples/node.yaml");

    /** One expected assignment: the tier, the rule that decided, and the pod cgroup for each driver. */
    private record Row(String namespace, String name, String tier, String rule, String systemd, String cgroupfs) {
    }

    private static Row row(String namespace, String name, String tier, String rule, String systemd, String cgroupfs) {
        return new Row(namespace, name, tier, rule, systemd, cgroupfs);
    }

    /** Every pod of node-a that gets a tier, in the decision's order (namespace, then name). */
    private static final List<Row> EXPECTED = List.of(
            row("analytics", "report-ui-84f9c7d6b-zz8qp", "normal", "first-matching-tier",
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod20a4268f_85bd_494c_87f9_ce5e84e31036.slice",
                "kubepods/besteffort/pod20a4268f-85bd-494c-87f9-ce5e84e31036"),
            row("analytics", "spark-exporter-6f7b9c8d5-rd2hw", "normal", "first-matching-tier", // its label is ignored by default
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod662cf115_4a2b_41c4_980b_8bbdff38b33d.slice",
                "kubepods/burstable/pod662cf115-4a2b-41c4-980b-8bbdff38b33d"),
            row("batch", "etl-nightly-29393400-8vx2d", "low", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8d5eb275_8fb9_4277_b16a_1afeec785b64.slice",
                "kubepods/burstable/pod8d5eb275-8fb9-4277-b16a-1afeec785b64"),
            row("batch", "thumbnailer-5f6d8c7b9-xk4rt", "high", "first-matching-tier",
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podbcf34700_b22d_4cf4_8b55_dde867d22cf5.slice",
                "kubepods/besteffort/podbcf34700-b22d-4cf4-8b55-dde867d22cf5"),
            row("ci", "build-runner-7k2mx", "background", "match-without-priority-class",
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod41396f78_ab66_4643_86e0_c1cda5523ccb.slice",
                "kubepods/besteffort/pod41396f78-ab66-4643-86e0-c1cda5523ccb"),
            row("ci", "cache-warmer-29393820-lq8dn", "background", "first-matching-tier",
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod5a905767_1c16_4cd1_a509_eb46d5ed9024.slice",
                "kubepods/besteffort/pod5a905767-1c16-4cd1-a509-eb46d5ed9024"),
            row("default", "debug-shell", "background", "match-without-priority-class",
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-poda9e2aeee_2522_4eac_ab1f_5e8303ca0bfd.slice",
                "kubepods/besteffort/poda9e2aeee-2522-4eac-ab1f-5e8303ca0bfd"),
            row("default", "static-web-node-a", "background", "match-without-priority-class",
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod948dc1a05b6f75dc420c739ddd2ff265.slice",
                "kubepods/besteffort/pod948dc1a05b6f75dc420c739ddd2ff265"),
            row("kube-system", "calico-kube-controllers-7c9f6d8b5-lk4ws", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podd777c3b5_7bd1_45df_b6c2_83146eea41b7.slice",
                "kubepods/besteffort/podd777c3b5-7bd1-45df-b6c2-83146eea41b7"),
            row("kube-system", "calico-node-9fzq4", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podcd4cce0f_a69a_48a7_ab97_89c84e456418.slice",
                "kubepods/burstable/podcd4cce0f-a69a-48a7-ab97-89c84e456418"),
            row("kube-system", "coredns-668d6bf9bc-w8pkt", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pode7f58125_9268_49bb_abe6_3c37f3448f7a.slice",
                "kubepods/burstable/pode7f58125-9268-49bb-abe6-3c37f3448f7a"),
            row("kube-system", "kube-proxy-7xk2p", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod01b2bcd7_78d5_4681_88de_146a31ee740e.slice",
                "kubepods/besteffort/pod01b2bcd7-78d5-4681-88de-146a31ee740e"),
            row("kube-system", "metrics-server-5b7f6c9d8-2lq9v", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b7974b5_c3bb_4cc8_8f73_bdb143417ea9.slice",
                "kubepods/burstable/pod0b7974b5-c3bb-4cc8-8f73-bdb143417ea9"),
            row("kube-system", "nginx-proxy-node-a", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod86acd6bc2b2e6c1a255a36891a36b3a4.slice",
                "kubepods/burstable/pod86acd6bc2b2e6c1a255a36891a36b3a4"),
            row("kube-system", "node-local-dns-x7w2k", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod96cb9316_1e9d_4cf7_a14e_2951563a27b3.slice",
                "kubepods/burstable/pod96cb9316-1e9d-4cf7-a14e-2951563a27b3"),
            row("logging", "fluent-bit-qz7kd", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6cfe3bc8_85df_45b2_8cb4_5ee3a438e3a3.slice",
                "kubepods/burstable/pod6cfe3bc8-85df-45b2-8cb4-5ee3a438e3a3"),
            row("ml", "hyperparam-sweep-4-t7c2n", "background", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod36c887a7_1d12_421b_a64b_a9e369f173ba.slice",
                "kubepods/burstable/pod36c887a7-1d12-421b-a64b-a9e369f173ba"),
            row("ml", "trainer-worker-0", "background", "first-matching-tier",
                "kubepods.slice/kubepods-podd7d052d2_a192_48a7_a30f_bf0a6aeb22de.slice",
                "kubepods/podd7d052d2-a192-48a7-a30f-bf0a6aeb22de"),
            row("monitoring", "prometheus-node-exporter-5mlbq", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-podf4e2c37e_3269_4d90_9c85_32e85bc03165.slice",
                "kubepods/podf4e2c37e-3269-4d90-9c85-32e85bc03165"),
            row("payments", "fraud-scorer-74b8c6d9f5-gq6tp", "critical", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod224ba03d_8d36_492d_a351_3bc9782d5d33.slice",
                "kubepods/burstable/pod224ba03d-8d36-492d-a351-3bc9782d5d33"),
            row("payments", "ledger-worker-59c7d8b6f4-v2mzt", "high", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod7dff09cb_8ca1_479b_9e62_7a2fdd76094c.slice",
                "kubepods/burstable/pod7dff09cb-8ca1-479b-9e62-7a2fdd76094c"),
            row("payments", "payments-api-7d9f8b6c5d-k2x9m", "high", "first-matching-tier",
                "kubepods.slice/kubepods-pod1c762409_566d_41a7_9dfd_aab6dd0e4743.slice",
                "kubepods/pod1c762409-566d-41a7-9dfd-aab6dd0e4743"),
            row("shop", "cart-redis-0", "normal", "first-matching-tier",
                "kubepods.slice/kubepods-pod9e46b443_71aa_4c8a_a088_f82e70f39507.slice",
                "kubepods/pod9e46b443-71aa-4c8a-a088-f82e70f39507"),
            row("shop", "catalog-7f8d9c6b5-hj3kl", "normal", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podacebe927_6f11_4ad0_bcd5_feb3832631cb.slice",
                "kubepods/burstable/podacebe927-6f11-4ad0-bcd5-feb3832631cb"),
            row("shop", "checkout-6c8d7f9b4-pq7rn", "high", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podb9b7cd19_bbd7_44c1_904d_7192621f4fe5.slice",
                "kubepods/burstable/podb9b7cd19-bbd7-44c1-904d-7192621f4fe5"),
            row("shop", "frontend-6b9c7d8f5-mnb2x", "normal", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2bd6bd21_1544_45d7_a0fc_6b21b13fb9b6.slice",
                "kubepods/burstable/pod2bd6bd21-1544-45d7-a0fc-6b21b13fb9b6"),
            row("shop", "frontend-6b9c7d8f5-old2q", "normal", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podc081c0e8_e59e_4f9c_9292_0a1c76c74dd9.slice",
                "kubepods/burstable/podc081c0e8-e59e-4f9c-9292-0a1c76c74dd9"),
            row("shop", "recommendations-5d7c8b9f6-tr5wq", "normal", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod17708f67_2a97_4809_bd9a_36747cc35689.slice",
                "kubepods/burstable/pod17708f67-2a97-4809-bd9a-36747cc35689"),
            row("shop", "search-indexer-8d6c9f7b5-bw4jx", "normal", "first-matching-tier",
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod399de0c3_ebd6_4e78_8262_252f81cb9c79.slice",
                "kubepods/burstable/pod399de0c3-ebd6-4e78-8262-252f81cb9c79"));

    /** In the snapshot but not placed: other node, not bound to any node, or finished. */
    private static final List<String> NOT_PLACED = List.of(
            "kube-system/coredns-668d6bf9bc-9hvzt",     // node-b
            "kube-system/kube-proxy-2hdnc",             // node-b
            "shop/frontend-6b9c7d8f5-x8vwq",            // node-b
            "monitoring/prometheus-k8s-0",              // node-b
            "batch/etl-hourly-29393820-mn5rk",          // node-b
            "ml/trainer-worker-1",                      // Pending, not bound to any node
            "batch/etl-hourly-29393820-4fmn7",          // Succeeded on node-a
            "batch/etl-hourly-29393760-q9w2s");         // Failed on node-a

    private static PolicySet policy;
    private static List<Pod> pods;
    private static Node node;

    @BeforeAll
    static void load() throws Exception {
        policy = new PolicyParser().parse(PolicyDirectory.read(POLICIES));
        pods = Snapshots.readPods(PODS);
        node = Snapshots.readNode(NODE);
    }

    private static Decision decide(Node n, List<Pod> ps, CgroupDriver driver) {
        NodeFact nodeFact = NodeFacts.of(n).orElseThrow();
        return RuleEngine.get().evaluate(policy, nodeFact, ps.stream().map(p -> PodFacts.of(p, driver)).toList());
    }

    private static Assignment assignment(Decision d, String key) {
        return d.assignments().stream().filter(a -> a.pod().key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no assignment for " + key));
    }

    @Test
    void snapshotIsReadWhole() {
        assertThat(pods).hasSize(37);
        assertThat(EXPECTED.size() + NOT_PLACED.size()).isEqualTo(37);
        assertThat(node.getMetadata().getName()).isEqualTo("node-a");
        assertThat(policy.tierPolicy().tiers()).extracting(t -> t.name())
                .containsExactly("critical", "high", "normal", "low", "background");
    }

    @Test
    void systemdDriverAssignments() {
        Decision d = decide(node, pods, CgroupDriver.SYSTEMD);
        assertThat(d.assignments())
                .extracting(a -> a.pod().namespace(), a -> a.pod().name(), Assignment::tier, Assignment::rule, a -> a.pod().cgroup())
                .containsExactlyElementsOf(EXPECTED.stream()
                        .map(r -> tuple(r.namespace(), r.name(), r.tier(), r.rule(), r.systemd())).toList());
    }

    @Test
    void cgroupfsDriverAssignments() {
        Decision d = decide(node, pods, CgroupDriver.CGROUPFS);
        assertThat(d.assignments())
                .extracting(a -> a.pod().namespace(), a -> a.pod().name(), Assignment::tier, Assignment::rule, a -> a.pod().cgroup())
                .containsExactlyElementsOf(EXPECTED.stream()
                        .map(r -> tuple(r.namespace(), r.name(), r.tier(), r.rule(), r.cgroupfs())).toList());
    }

    @ParameterizedTest
    @EnumSource(CgroupDriver.class)
    void podsOfOtherNodesUnboundAndFinishedPodsGetNoAssignment(CgroupDriver driver) {
        Decision d = decide(node, pods, driver);
        assertThat(d.assignments()).extracting(a -> a.pod().key()).doesNotContainAnyElementsOf(NOT_PLACED);
        assertThat(d.assignments()).hasSize(29);
    }

    @Test
    void pendingAndTerminatingPodsArePlaced() {
        Decision d = decide(node, pods, CgroupDriver.SYSTEMD);
        Assignment pending = assignment(d, "payments/ledger-worker-59c7d8b6f4-v2mzt");
        assertThat(pending.pod().phase()).isEqualTo("Pending");
        assertThat(pending.tier()).isEqualTo("high");
        Assignment terminating = assignment(d, "shop/frontend-6b9c7d8f5-old2q");
        assertThat(terminating.pod().terminating()).isTrue();
        assertThat(terminating.pod().phase()).isEqualTo("Running");
        assertThat(terminating.tier()).isEqualTo("normal");
        assertThat(d.assignments()).filteredOn(a -> a.pod().terminating()).hasSize(1);
    }

    @Test
    void nodeAttaches() {
        Decision d = decide(node, pods, CgroupDriver.SYSTEMD);
        assertThat(d.node()).isEqualTo("node-a");
        assertThat(d.mode().mode()).isEqualTo(Mode.ATTACH);
        assertThat(d.mode().mode().wire()).isEqualTo("attach");
        assertThat(d.mode().reasons()).containsExactly(
                "kernel 6.12.57+deb13-cloud-amd64 is new enough for sched_ext (6.12+); no exclusion or safe-mode request applies");
    }

    @Test
    void tiersWithCountsAndCeilings() {
        Decision d = decide(node, pods, CgroupDriver.SYSTEMD);
        assertThat(d.tiers())
                .extracting(Decision.TierOutcome::name, Decision.TierOutcome::rank, Decision.TierOutcome::pods,
                        Decision.TierOutcome::sliceMs, Decision.TierOutcome::preempt)
                .containsExactly(
                        tuple("critical", 0, 10, 5, true),
                        tuple("high", 1, 4, 10, true),
                        tuple("normal", 2, 8, 20, false),
                        tuple("low", 3, 1, 30, false),
                        tuple("background", 4, 6, 5, false));
        assertThat(d.tiers()).extracting(t -> t.ceiling().tier(), t -> t.ceiling().cpus(), t -> t.ceiling().source())
                .containsExactly(
                        tuple("critical", 7.91, "node"),
                        tuple("high", 7.91, "node"),
                        tuple("normal", 7.91, "node"),
                        tuple("low", 7.91, "node"),
                        tuple("background", 1.9775, "policy"));
        assertThat(d.tiers().getLast().ceiling().note()).isEqualTo("25% of 7.91 allocatable CPUs");
    }

    @Test
    void tierLabelsAreIgnoredByDefaultWithAWarningEach() {
        Decision d = decide(node, pods, CgroupDriver.SYSTEMD);
        assertThat(d.warnings()).containsExactly(
                "pod analytics/spark-exporter-6f7b9c8d5-rd2hw: label temper.codes/tier ignored; the policy does not allow overrides",
                "pod shop/search-indexer-8d6c9f7b5-bw4jx: label temper.codes/tier ignored; the policy does not allow overrides");
    }

    @Test
    void mirrorPodsAreReportedByApiUidButKeyedByTheirStaticPodHash() {
        Decision d = decide(node, pods, CgroupDriver.SYSTEMD);
        Assignment nginx = assignment(d, "kube-system/nginx-proxy-node-a");
        assertThat(nginx.pod().uid()).isNotEqualTo("86acd6bc2b2e6c1a255a36891a36b3a4");
        assertThat(nginx.pod().cgroup()).contains("pod86acd6bc2b2e6c1a255a36891a36b3a4.slice")
                .doesNotContain(nginx.pod().uid().replace('-', '_'));
        Assignment web = assignment(d, "default/static-web-node-a");
        assertThat(web.pod().uid()).isNotEqualTo("948dc1a05b6f75dc420c739ddd2ff265");
        assertThat(web.pod().cgroup()).endsWith("pod948dc1a05b6f75dc420c739ddd2ff265.slice");
        Pod raw = pods.stream().filter(p -> p.getMetadata().getName().equals("nginx-proxy-node-a")).findFirst().orElseThrow();
        assertThat(raw.getMetadata().getAnnotations()).containsEntry("kubernetes.io/config.hash", "86acd6bc2b2e6c1a255a36891a36b3a4")
                .containsEntry("kubernetes.io/config.mirror", "86acd6bc2b2e6c1a255a36891a36b3a4");
        assertThat(nginx.pod().uid()).isEqualTo(raw.getMetadata().getUid());
    }

    @Test
    void factsReadFromTheSnapshot() {
        Decision d = decide(node, pods, CgroupDriver.SYSTEMD);
        record Expect(String key, QosClass qos, long priority, String priorityClass, long cpuLimitMillis) {
        }
        List<Expect> expected = List.of(
                new Expect("kube-system/kube-proxy-7xk2p", QosClass.BestEffort, 2000001000, "system-node-critical", -1),
                new Expect("kube-system/coredns-668d6bf9bc-w8pkt", QosClass.Burstable, 2000000000, "system-cluster-critical", -1),
                new Expect("monitoring/prometheus-node-exporter-5mlbq", QosClass.Guaranteed, 1000000, "platform-critical", 200),
                // app 2 + sidecar otel-agent 200m = 2200m, more than the model-fetch init container's 500m
                new Expect("payments/fraud-scorer-74b8c6d9f5-gq6tp", QosClass.Burstable, 1000000, "platform-critical", 2200),
                // app 1 + native sidecar istio-proxy 2 = 3000m, more than the istio-init container's 2
                new Expect("shop/checkout-6c8d7f9b4-pq7rn", QosClass.Burstable, 100000, "high-priority", 3000),
                new Expect("payments/payments-api-7d9f8b6c5d-k2x9m", QosClass.Guaranteed, 100000, "high-priority", 1000),
                new Expect("batch/thumbnailer-5f6d8c7b9-xk4rt", QosClass.BestEffort, 100000, "high-priority", -1),
                new Expect("shop/cart-redis-0", QosClass.Guaranteed, 0, null, 500),
                // the catalog container sets no CPU limit, so the pod has none
                new Expect("shop/catalog-7f8d9c6b5-hj3kl", QosClass.Burstable, 0, null, -1),
                new Expect("analytics/report-ui-84f9c7d6b-zz8qp", QosClass.BestEffort, 0, "default-priority", -1),
                new Expect("batch/etl-nightly-29393400-8vx2d", QosClass.Burstable, -50, "batch-low", 2000),
                new Expect("ml/trainer-worker-0", QosClass.Guaranteed, -1000, "preemptible", 2000),
                new Expect("ci/cache-warmer-29393820-lq8dn", QosClass.BestEffort, -1000, "preemptible", -1));
        for (Expect e : expected) {
            PodFact p = assignment(d, e.key()).pod();
            assertThat(p.qosClass()).as(e.key()).isEqualTo(e.qos());
            assertThat(p.priority()).as(e.key()).isEqualTo(e.priority());
            assertThat(p.priorityClassName()).as(e.key()).isEqualTo(e.priorityClass());
            assertThat(p.hasPriorityClass()).as(e.key()).isEqualTo(e.priorityClass() != null);
            assertThat(p.cpuLimitMillis()).as(e.key()).isEqualTo(e.cpuLimitMillis());
            assertThat(p.nodeName()).as(e.key()).isEqualTo("node-a");
        }
        assertThat(assignment(d, "analytics/spark-exporter-6f7b9c8d5-rd2hw").pod().tierLabel()).isEqualTo("low");
    }

    @Test
    void nodeFactFromTheSnapshot() {
        assertThat(NodeFacts.of(node)).contains(new NodeFact("node-a", node.getMetadata().getLabels(), null,
                "6.12.57+deb13-cloud-amd64", 6012, 7910));
        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "node-a").hasSize(13);
        assertThat(node.getMetadata().getAnnotations().keySet()).noneMatch(k -> k.startsWith("temper.codes/"));
    }

    @Test
    void sameDecisionFromJsonSnapshots(@TempDir Path dir) throws Exception {
        Path podsJson = dir.resolve("pods.json");
        Path nodeJson = dir.resolve("node.json");
        Files.writeString(podsJson, toJson(PODS));
        Files.writeString(nodeJson, toJson(NODE));
        assertThat(Files.readString(podsJson)).startsWith("{\"apiVersion\":\"v1\",\"items\":[{");
        assertThat(Files.readString(nodeJson)).startsWith("{\"apiVersion\":\"v1\",\"kind\":\"Node\",");

        List<Pod> jsonPods = Snapshots.readPods(podsJson);
        Node jsonNode = Snapshots.readNode(nodeJson);
        assertThat(jsonPods).hasSize(37);
        for (CgroupDriver driver : CgroupDriver.values()) {
            Decision fromYaml = decide(node, pods, driver);
            Decision fromJson = decide(jsonNode, jsonPods, driver);
            assertThat(fromJson).as(driver.name()).isEqualTo(fromYaml);
            assertThat(fromJson.assignments()).as(driver.name()).hasSize(29);
        }
    }

    /** The YAML file as one line of JSON, the way kubectl -o json output reads to a YAML 1.2 loader. */
    private static String toJson(Path yaml) throws Exception {
        LoadSettings settings = LoadSettings.builder().setSchema(new CoreSchema()).build();
        Object tree = new Load(settings).loadFromString(Files.readString(yaml));
        assertThat(tree).isInstanceOf(Map.class);
        return JsonMapper.builder().build().writeValueAsString(tree);
    }
}
