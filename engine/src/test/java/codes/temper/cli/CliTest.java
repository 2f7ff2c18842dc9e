package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code temper} commands end to end through {@link Main#run}: output, exit codes, errors. */
class CliTest {
    static final Path DEFAULT_POLICIES = Path.of("../policies");
    static final Path CORPUS = Path.of("src/test/resources/broken-policies");

    static final String PROXY_UID = "11111111-2222-3333-4444-555555555555";
    static final String WEB_UID = "aaaaaaaa-0000-0000-0000-000000000001";
    static final String BATCH_UID = "bbbbbbbb-0000-0000-0000-000000000002";

    static final String NODE = """
            apiVersion: v1
            kind: Node
            metadata:
              name: node-a
              labels:
                kubernetes.io/hostname: node-a
            status:
              allocatable:
                cpu: "8"
              capacity:
                cpu: "8"
              nodeInfo:
                kernelVersion: 6.12.57+deb13-cloud-amd64
            """;

    // kube-proxy: system-node-critical, Burstable; web: no class, Guaranteed; batch: no class,
    // BestEffort; done: finished (no assignment); elsewhere: bound to another node (no assignment).
    static final String PODS = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata: {name: kube-proxy-x7k2p, namespace: kube-system, uid: %s}
              spec:
                nodeName: node-a
                priority: 2000001000
                priorityClassName: system-node-critical
                containers:
                - {name: kube-proxy, image: registry.k8s.io/kube-proxy:v1.34.1, resources: {requests: {cpu: 100m}}}
              status: {phase: Running, qosClass: Burstable}
            - apiVersion: v1
              kind: Pod
              metadata: {name: web, namespace: default, uid: %s}
              spec:
                nodeName: node-a
                containers:
                - {name: web, image: nginx, resources: {limits: {cpu: "1", memory: 1Gi}, requests: {cpu: "1", memory: 1Gi}}}
              status: {phase: Running, qosClass: Guaranteed}
            - apiVersion: v1
              kind: Pod
              metadata: {name: batch, namespace: default, uid: %s}
              spec:
                nodeName: node-a
                containers:
                - {name: batch, image: busybox}
              status: {phase: Running, qosClass: BestEffort}
            - apiVersion: v1
              kind: Pod
              metadata: {name: done, namespace: default, uid: cccccccc-0000-0000-0000-000000000003}
              spec:
                nodeName: node-a
                containers:
                - {name: job, image: busybox}
              status: {phase: Succeeded, qosClass: BestEffort}
            - apiVersion: v1
              kind: Pod
              metadata: {name: elsewhere, namespace: default, uid: dddddddd-0000-0000-0000-000000000004}
              spec:
                nodeName: node-b
                containers:
                - {name: web, image: nginx}
              status: {phase: Running, qosClass: BestEffort}
            """.formatted(PROXY_UID, WEB_UID, BATCH_UID);

    @TempDir Path tmp;
    Path node, pods;

    @BeforeEach
    void snapshots() throws IOException {
        node = Files.writeString(tmp.resolve("node.yaml"), NODE);
        pods = Files.writeString(tmp.resolve("pods.yaml"), PODS);
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static void assertNoStackTrace(CliRun r) {
        assertThat(r.out() + r.err()).doesNotContain("\tat ").doesNotContainPattern("[A-Za-z]Error\\b");
    }

    CliRun plan(String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", "--policies", DEFAULT_POLICIES.toString(),
                "--pods", pods.toString(), "--node", node.toString()));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    static Map<String, JsonNode> assignmentsByName(JsonNode plan) {
        Map<String, JsonNode> byName = new TreeMap<>();
        for (JsonNode a : plan.get("assignments")) byName.put(a.get("namespace").asString() + "/" + a.get("name").asString(), a);
        return byName;
    }

    // ---- plan

    @Test
    void planPrintsTheDesignJsonShape() {
        CliRun r = plan("--output", "json");
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(0);
        assertThat(r.err()).isEmpty();
        JsonNode p = JsonMapper.builder().build().readTree(r.out());

        assertThat(p.get("node").asString()).isEqualTo("node-a");
        assertThat(p.get("policyRevision").asString()).matches("dir@sha256:[0-9a-f]{64}");
        assertThat(p.get("decision").get("mode").asString()).isEqualTo("attach");
        assertThat(p.get("decision").get("reasons").isArray()).isTrue();
        assertThat(p.get("decision").get("reasons").get(0).asString()).contains("6.12.57+deb13-cloud-amd64");

        JsonNode tiers = p.get("tiers");
        assertThat(tiers.size()).isEqualTo(5);
        String[] names = {"critical", "high", "normal", "low", "background"};
        int[] podCounts = {1, 0, 1, 0, 1};
        for (int i = 0; i < 5; i++) {
            JsonNode t = tiers.get(i);
            assertThat(t.get("name").asString()).isEqualTo(names[i]);
            assertThat(t.get("rank").asInt()).isEqualTo(i);
            assertThat(t.get("pods").asInt()).as("pods in %s", names[i]).isEqualTo(podCounts[i]);
            assertThat(t.get("ceiling").has("cpus")).isTrue();
            assertThat(t.get("ceiling").has("source")).isTrue();
        }
        // background has "25%" of 8 allocatable CPUs; critical has no ceiling, so the whole node
        assertThat(tiers.get(4).get("ceiling").get("cpus").asDouble()).isEqualTo(2.0);
        assertThat(tiers.get(4).get("ceiling").get("source").asString()).isEqualTo("policy");
        assertThat(tiers.get(0).get("ceiling").get("cpus").asDouble()).isEqualTo(8.0);

        Map<String, JsonNode> a = assignmentsByName(p);
        assertThat(a).containsOnlyKeys("default/batch", "default/web", "kube-system/kube-proxy-x7k2p");
        for (JsonNode x : a.values()) {
            for (String key : List.of("namespace", "name", "uid", "qosClass", "priority", "tier", "rule", "cgroup", "weight")) {
                assertThat(x.has(key)).as("assignment key %s", key).isTrue();
            }
        }
        JsonNode proxy = a.get("kube-system/kube-proxy-x7k2p");
        assertThat(proxy.get("uid").asString()).isEqualTo(PROXY_UID);
        assertThat(proxy.get("qosClass").asString()).isEqualTo("Burstable");
        assertThat(proxy.get("priority").asLong()).isEqualTo(2_000_001_000L);
        assertThat(proxy.get("tier").asString()).isEqualTo("critical");
        assertThat(proxy.get("cpuRequestMillis").asLong()).isEqualTo(100);
        assertThat(proxy.get("weight").asInt()).as("kubelet's cpu.weight for 100m").isEqualTo(4);
        assertThat(proxy.get("rule").asString()).isNotBlank();
        assertThat(proxy.get("cgroup").asString()).isEqualTo(
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod11111111_2222_3333_4444_555555555555.slice");

        JsonNode web = a.get("default/web");
        assertThat(web.get("qosClass").asString()).isEqualTo("Guaranteed");
        assertThat(web.get("priority").asLong()).isEqualTo(0);
        assertThat(web.get("tier").asString()).isEqualTo("normal");
        assertThat(web.get("weight").asInt()).as("kubelet's cpu.weight for 1 CPU").isEqualTo(39);
        assertThat(web.get("cgroup").asString()).isEqualTo("kubepods.slice/kubepods-podaaaaaaaa_0000_0000_0000_000000000001.slice");

        JsonNode batch = a.get("default/batch");
        assertThat(batch.get("qosClass").asString()).isEqualTo("BestEffort");
        assertThat(batch.get("tier").asString()).isEqualTo("background");
        assertThat(batch.get("weight").asInt()).as("no request: the minimum").isEqualTo(1);
        assertThat(batch.get("cgroup").asString()).isEqualTo(
                "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podbbbbbbbb_0000_0000_0000_000000000002.slice");
    }

    @Test
    void planTablePrintsHeaders() {
        CliRun r = plan("--output", "table");
        assertThat(r.code()).isEqualTo(0);
        List<String> lines = r.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("node node-a").contains("mode attach");
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("RANK\\s+TIER\\s+CEILING\\s+CEILING-FROM\\s+FLOOR\\s+PODS\\s+SLICE-MS\\s+PREEMPT"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("system work (kubelet, runtime): floor "));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("POD\\s+QOS\\s+PRIORITY\\s+TIER\\s+RULE\\s+CGROUP"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("kube-system/kube-proxy-x7k2p\\s+Burstable\\s+2000001000\\s+critical\\s+.*"));
        assertThat(r.out()).doesNotContain("{");
    }

    @Test
    void cgroupfsDriverChangesTheCgroupPaths() {
        CliRun r = plan("--output", "json", "--cgroup-driver", "cgroupfs");
        assertThat(r.code()).isEqualTo(0);
        Map<String, JsonNode> a = assignmentsByName(JsonMapper.builder().build().readTree(r.out()));
        assertThat(a.get("kube-system/kube-proxy-x7k2p").get("cgroup").asString()).isEqualTo("kubepods/burstable/pod" + PROXY_UID);
        assertThat(a.get("default/web").get("cgroup").asString()).isEqualTo("kubepods/pod" + WEB_UID);
        assertThat(a.get("default/batch").get("cgroup").asString()).isEqualTo("kubepods/besteffort/pod" + BATCH_UID);
    }

    @Test
    void planWithABrokenPolicyExitsOneWithTheLocation() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("policies"));
        Files.copy(CORPUS.resolve("27-duplicate-tier-names.yaml"), dir.resolve("tiers.yaml"));
        CliRun r = run("plan", "--policies", dir.toString(), "--pods", pods.toString(), "--node", node.toString(), "--output", "json");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(dir.resolve("tiers.yaml") + ":23:11: spec.tiers[3].name: duplicate tier \"normal\" (first at line 19)\n"
                + "1 problem(s) found\n");
        assertNoStackTrace(r);
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void planWithAMissingPodsFileExitsOneWithTheFileNamed() {
        Path missing = tmp.resolve("no-such-pods.yaml");
        CliRun r = run("plan", "--policies", DEFAULT_POLICIES.toString(), "--pods", missing.toString(), "--node", node.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith(missing + ":1:1: no such file").endsWith("1 problem(s) found\n");
        assertThat(r.err()).doesNotContain("Exception");
        assertNoStackTrace(r);
    }

    @Test
    void planWithAnEmptyPodsFileExitsOneNamingTheFile() throws IOException {
        Files.write(pods, new byte[0]);
        CliRun r = plan();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith(pods + ":1:1: the file is empty (0 bytes)").endsWith("1 problem(s) found\n");
        assertNoStackTrace(r);
    }

    @Test
    void planWithADeviceAsThePodsFileExitsOneWithoutReadingIt() {
        CliRun r = run("plan", "--policies", DEFAULT_POLICIES.toString(), "--pods", "/dev/zero", "--node", node.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("/dev/zero:1:1: not a regular file (a device); refusing to open it\n1 problem(s) found\n");
        assertNoStackTrace(r);
    }

    @Test
    void planWithAMalformedPodsFileExitsOneWithTheLocation() throws IOException {
        Files.writeString(pods, """
                apiVersion: v1
                kind: List
                items:
                - metadata: {name: web, namespace: default, uid: aaaaaaaa-0000-0000-0000-000000000001
                  spec: {nodeName: node-a}
                """);
        CliRun r = plan();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).matches("\\Q" + pods + "\\E:\\d+:\\d+: YAML syntax: while parsing a flow mapping started at line 4, column 13: .*\n"
                + "1 problem\\(s\\) found\n");
        assertNoStackTrace(r);
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void planWithSomethingElseThanPodsExitsOneWithTheLocation() throws IOException {
        Files.writeString(pods, NODE);
        CliRun r = plan();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo(pods + ":2:7: kind: expected List, PodList or Pod, got \"Node\"\n1 problem(s) found\n");
    }

    // ---- test

    static final String TEST_HEADER = """
            apiVersion: temper.codes/v1
            kind: PolicyTest
            metadata:
              name: default-tiers
            spec:
              node: {name: node-a, kernelVersion: 6.12.57, allocatableCpu: "8"}
              cases:
              - name: system pods are critical
                pods:
                - {name: kube-proxy, namespace: kube-system, priority: 2000001000, priorityClassName: system-node-critical}
                expect:
                  tiers: {kube-system/kube-proxy: critical}
            """;

    // Line 13 of the fixture. Wrong on purpose: the default policy puts class-less BestEffort pods in background.
    static final String FAILING_CASE = """
              - name: class-less BestEffort pods are normal
                pods:
                - {name: batch, qosClass: BestEffort}
                expect:
                  tiers: {default/batch: normal}
            """;

    Path fixture(String tests) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("policy-with-tests"));
        Files.copy(DEFAULT_POLICIES.resolve("tiers.yaml"), dir.resolve("tiers.yaml"));
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("tests/tiers-test.yaml"), tests);
        return dir;
    }

    /** policies/tests/default.yaml, as `./temper test policies` runs it: every case passes. */
    @Test
    void theDefaultPolicysOwnTestsPass() {
        CliRun r = run("test", DEFAULT_POLICIES.toString());
        assertThat(r.code()).as("stdout: %s%nstderr: %s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("PASS default-policy: the same strict node on 6.18 attaches, the scheduler enforcing cpu.max")
                .contains("PASS default-policy: strict cpu quota nodes are excluded where sched_ext cannot enforce cpu.max (before 6.17)");
    }

    @Test
    void testCommandReportsPassAndFailWithADiff() throws IOException {
        Path dir = fixture(TEST_HEADER + FAILING_CASE);
        CliRun r = run("test", dir.toString());
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(1);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).contains("PASS default-tiers: system pods are critical");
        assertThat(lines).contains("FAIL default-tiers: class-less BestEffort pods are normal  (" + dir.resolve("tests/tiers-test.yaml") + ":13)");
        assertThat(lines).anySatisfy(l -> assertThat(l.strip()).startsWith("pod default/batch: expected tier normal, got background"));
        assertThat(lines).last().isEqualTo("1 passed, 1 failed");
        assertNoStackTrace(r);
    }

    @Test
    void testCommandExitsZeroWhenAllPass() throws IOException {
        Path dir = fixture(TEST_HEADER);
        CliRun r = run("test", dir.toString());
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(0);
        assertThat(r.out().lines().toList()).containsExactly("PASS default-tiers: system pods are critical", "1 passed, 0 failed");
    }

    @Test
    void testCommandWithABrokenPolicyExitsOneWithTheLocation() throws IOException {
        Path dir = fixture(TEST_HEADER);
        Files.copy(CORPUS.resolve("39-qosclass-lowercase.yaml"), dir.resolve("tiers.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRun r = run("test", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith(dir.resolve("tiers.yaml") + ":30:17: spec.tiers[4].match[1].qosClass:");
        assertThat(r.out()).doesNotContain("PASS");
    }

    // ---- usage

    @Test
    void unknownCommandExitsTwo() {
        CliRun r = run("frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate");
        assertNoStackTrace(r);
    }

    @Test
    void noCommandExitsTwo() {
        CliRun r = run();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: temper");
    }

    @Test
    void missingRequiredOptionExitsTwo() {
        CliRun r = run("plan", "--policies", DEFAULT_POLICIES.toString(), "--node", node.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--pods");
        assertNoStackTrace(r);
    }

    @Test
    void badOptionValueExitsTwo() {
        CliRun r = plan("--output", "xml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--output");
        assertThat(r.out()).isEmpty();
    }
}
