package codes.temper.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import codes.temper.policy.PolicySet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** rules/mode.drl: what the agent does with the node, by precedence safe-mode > excluded > unsupported > attach. */
class ModeRulesTest extends RuleFixtures {

    @Override
    String drlFile() {
        return "mode.drl";
    }

    @Test
    void safeModeRequestedByTrue() {
        Run r = run(policy(defaultTiers(false)), node(Map.of(), "true", KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"true\" requests safe mode");
        assertThat(r.fired()).contains("safe-mode-requested", "mode-by-precedence").doesNotContain("attach");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "", "False", "1", "off"})
    void anyValueButFalseRequestsSafeModeAndAnOddValueIsNamed(String odd) {
        Run r = run(policy(defaultTiers(false)), node(Map.of(), odd, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"" + odd + "\" requests safe mode"
                + " (value is not \"true\"; any value but \"false\" counts as a request)");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "false")
    void exactlyFalseOrNoAnnotationDoesNotRequestSafeMode(String value) {
        Run r = run(policy(defaultTiers(false)), node(Map.of(), value, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.fired()).doesNotContain("safe-mode-requested");
    }

    @Test
    void excludedByMatchLabels() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(false));
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict", "kubernetes.io/os", "linux"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly(
                "NodePolicy default/strict-cpu-quota: " + STRICT_REASON);
        assertThat(r.fired()).contains("excluded-by-node-policy");

        r = run(p, node(Map.of("temper.codes/cpu-quota", "relaxed"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        r = run(p, node(Map.of(), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
    }

    @Test
    void excludedByMatchExpressions() {
        PolicySet p = policy(defaultTiers(false) + """
                ---
                apiVersion: temper.codes/v1
                kind: NodePolicy
                metadata: {name: fleet}
                spec:
                  exclusions:
                  - name: gpu-or-legacy
                    nodeSelector:
                      matchExpressions:
                      - {key: node.kubernetes.io/instance-type, operator: In, values: [p4d.24xlarge, g5.xlarge]}
                      - {key: example.com/keep-cfs, operator: DoesNotExist}
                    reason: GPU nodes keep the stock scheduler
                  - name: opted-out
                    nodeSelector:
                      matchExpressions:
                      - {key: temper.codes/opt-out, operator: Exists}
                      - {key: topology.kubernetes.io/zone, operator: NotIn, values: [eu-central-1c]}
                    reason: the node owner opted out
                """);
        Run r = run(p, node(Map.of("node.kubernetes.io/instance-type", "g5.xlarge"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy fleet/gpu-or-legacy: GPU nodes keep the stock scheduler");

        // In matches but DoesNotExist fails: every requirement must hold
        r = run(p, node(Map.of("node.kubernetes.io/instance-type", "g5.xlarge", "example.com/keep-cfs", "no"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);

        r = run(p, node(Map.of("temper.codes/opt-out", "", "topology.kubernetes.io/zone", "eu-central-1a"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy fleet/opted-out: the node owner opted out");

        r = run(p, node(Map.of("temper.codes/opt-out", "", "topology.kubernetes.io/zone", "eu-central-1c"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);

        // NotIn holds for a node without the label at all, as in Kubernetes selectors
        r = run(p, node(Map.of("temper.codes/opt-out", "yes"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy fleet/opted-out: the node owner opted out");

        r = run(p, node(Map.of("node.kubernetes.io/instance-type", "m6i.2xlarge"), null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.fired()).doesNotContain("excluded-by-node-policy");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "6.1.0-18-amd64|6001|UNSUPPORTED|kernel-too-old|kernel 6.1.0-18-amd64 is older than 6.12, the first with sched_ext",
            "6.11.9|6011|UNSUPPORTED|kernel-too-old|kernel 6.11.9 is older than 6.12, the first with sched_ext",
            "null|-1|UNSUPPORTED|kernel-unknown|the node reports no kernel version; sched_ext needs 6.12 or later",
            "garbage|-1|UNSUPPORTED|kernel-unknown|kernel version \"garbage\" cannot be read; sched_ext needs 6.12 or later",
            "6.12.0|6012|ATTACH|attach|kernel 6.12.0 is new enough for sched_ext (6.12+); no exclusion or safe-mode request applies",
            "7.2.13|7002|ATTACH|attach|kernel 7.2.13 is new enough for sched_ext (6.12+); no exclusion or safe-mode request applies"})
    void theKernelDecidesWhetherSchedExtCanAttach(String kernel, int release, Mode mode, String rule, String reason) {
        Run r = run(policy(defaultTiers(false)), nodeWithKernel(kernel, release));
        assertThat(r.mode()).isEqualTo(mode);
        assertThat(r.reasons()).containsExactly(reason);
        assertThat(r.fired()).contains(rule, "mode-by-precedence");
        if (mode != Mode.ATTACH) assertThat(r.fired()).doesNotContain("attach");
        else assertThat(r.fired()).doesNotContain("kernel-too-old", "kernel-unknown");
    }



    @Test
    void safeModeBeatsExclusionAndOldKernel() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(false));
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict"), "true", "6.1.0-18-amd64", 6001, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"true\" requests safe mode");
        assertThat(r.fired()).contains("safe-mode-requested", "excluded-by-node-policy", "kernel-too-old", "mode-by-precedence")
                .doesNotContain("attach");
        assertThat(r.fired()).filteredOn("mode-by-precedence"::equals).hasSize(1);
    }

    @Test
    void safeModeBeatsExclusion() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(false));
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict"), "yes", KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).hasSize(1).allMatch(s -> s.startsWith("annotation temper.codes/safe-mode-requested=\"yes\""));
    }

    @Test
    void safeModeBeatsUnknownKernel() {
        Run r = run(policy(defaultTiers(false)), node(Map.of(), "true", "garbage", -1, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"true\" requests safe mode");
    }

    @Test
    void exclusionBeatsUnsupportedKernel() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(false));
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict"), "false", null, -1, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly(
                "NodePolicy default/strict-cpu-quota: " + STRICT_REASON);
        assertThat(r.fired()).contains("kernel-unknown", "excluded-by-node-policy").doesNotContain("attach");
    }

    @Test
    void strictNodeBefore617IsExcludedInferredOffline() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(true));
        Run r = run(p, node(STRICT, null, KERNEL, 6012, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy default/strict-cpu-quota: cgroup cpu.max must be enforced on this node; "
                + "cpu.max cannot be enforced by sched_ext before 6.17 (kernel " + KERNEL + ", inferred from kernelVersion)");
        assertThat(r.fired()).contains("excluded-cpu-max-not-enforced")
                .doesNotContain("excluded-by-node-policy", "cpu-max-enforced-by-scheduler", "attach");
    }

    /** 6.16 is the last kernel without sched_ext_ops.cgroup_set_bandwidth, 6.17 the first with it. */
    @ParameterizedTest
    @CsvSource({"6.12.57+deb13-cloud-amd64, 6012, EXCLUDED", "6.16.3, 6016, EXCLUDED", "6.17.0, 6017, ATTACH", "6.18.2, 6018, ATTACH"})
    void aStrictNodeIsExcludedOnlyWhereTheKernelCannotEnforceCpuMax(String kernel, int release, Mode mode) {
        assertThat(run(policy(defaultTiers(false) + strictQuota(true)), node(STRICT, null, kernel, release, 8000)).mode()).isEqualTo(mode);
        // without requires, the same exclusion holds whatever the kernel
        assertThat(run(policy(defaultTiers(false) + strictQuota(false)), node(STRICT, null, kernel, release, 8000)).mode())
                .isEqualTo(Mode.EXCLUDED);
    }

    @Test
    void strictNodeOn617AndLaterAttachesAndSaysWhy() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(true));
        Run r = run(p, node(STRICT, null, "6.18.2-cloud-amd64", 6018, 8000));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.reasons()).containsExactly(
                "NodePolicy default/strict-cpu-quota does not hold: cpu.max is enforced by the scheduler "
                        + "(kernel 6.18.2-cloud-amd64, cgroup_set_bandwidth, inferred from kernelVersion)",
                "kernel 6.18.2-cloud-amd64 is new enough for sched_ext (6.12+); no exclusion or safe-mode request applies");
        assertThat(r.fired()).contains("cpu-max-enforced-by-scheduler", "attach").doesNotContain("excluded-cpu-max-not-enforced");

        // A node the exclusion does not select gets no cpu.max reason.
        assertThat(run(p, node(Map.of(), null, "6.18.2", 6018, 8000)).reasons())
                .containsExactly("kernel 6.18.2 is new enough for sched_ext (6.12+); no exclusion or safe-mode request applies");
    }

    @Test
    void theAgentsProbeDecidesOverTheKernelVersion() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(true));
        // A 6.18 whose sched_ext_ops lacks the callback (a vendor kernel) stays excluded.
        NodeFact n = node(STRICT, null, "6.18.2", 6018, 8000)
                .withCpuMax(CpuMaxSupport.probed(false, "sched_ext_ops has no cgroup_set_bandwidth"));
        Run r = run(p, n);
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy default/strict-cpu-quota: cgroup cpu.max must be enforced on this node; "
                + "cpu.max cannot be enforced by sched_ext before 6.17 (kernel 6.18.2: sched_ext_ops has no cgroup_set_bandwidth)");

        // A backport that has it attaches, and the reason does not say "inferred".
        r = run(p, node(STRICT, null, KERNEL, 6012, 8000).withCpuMax(CpuMaxSupport.probed(true, "cgroup_set_bandwidth")));
        assertThat(r.mode()).isEqualTo(Mode.ATTACH);
        assertThat(r.reasons()).contains("NodePolicy default/strict-cpu-quota does not hold: cpu.max is enforced by the scheduler (kernel "
                + KERNEL + ", cgroup_set_bandwidth)");
    }

    @Test
    void aProbeThatCannotTellExcludesStrictNodes() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(true));
        Run r = run(p, node(STRICT, null, "6.18.2", 6018, 8000).withCpuMax(CpuMaxSupport.probeFailed("no kernel BTF at /sys/kernel/btf/vmlinux")));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).singleElement().asString().endsWith("; cpu.max enforcement by sched_ext could not be probed "
                + "(kernel 6.18.2: no kernel BTF at /sys/kernel/btf/vmlinux), so it is taken as not enforced");
    }

    @Test
    void otherExclusionsHoldWhateverTheKernel() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(false));
        Run r = run(p, node(STRICT, null, "6.18.2", 6018, 8000).withCpuMax(CpuMaxSupport.probed(true, "cgroup_set_bandwidth")));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy default/strict-cpu-quota: " + STRICT_REASON);
    }

    @Test
    void safeModeBeatsACpuMaxAttach() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(true));
        Run r = run(p, node(STRICT, "true", "6.18.2", 6018, 8000));
        assertThat(r.mode()).isEqualTo(Mode.SAFE_MODE);
        assertThat(r.reasons()).containsExactly("annotation temper.codes/safe-mode-requested=\"true\" requests safe mode");
        assertThat(r.fired()).contains("cpu-max-enforced-by-scheduler").doesNotContain("attach");
    }

    @Test
    void requiresIsParsed() {
        PolicySet p = policy(defaultTiers(false) + strictQuota(true) + strictQuota(false).replace("name: default", "name: other")
                .replace("name: strict-cpu-quota", "name: legacy"));
        assertThat(p.exclusions()).extracting(codes.temper.policy.Exclusion::policy, codes.temper.policy.Exclusion::requiresCpuMax)
                .containsExactlyInAnyOrder(tuple("default", true), tuple("other", false));
    }

    @Test
    void allReasonsOfTheWinningModeAreKeptSorted() {
        PolicySet p = policy(defaultTiers(false) + """
                ---
                apiVersion: temper.codes/v1
                kind: NodePolicy
                metadata: {name: ops}
                spec:
                  exclusions:
                  - name: zz-maintenance
                    nodeSelector: {matchLabels: {example.com/maintenance: "true"}}
                    reason: node is in maintenance
                  - name: aa-strict
                    nodeSelector: {matchLabels: {temper.codes/cpu-quota: strict}}
                    reason: strict quota
                """);
        Run r = run(p, node(Map.of("temper.codes/cpu-quota", "strict", "example.com/maintenance", "true"), null, "5.15.0-1051-aws", 5015, 8000));
        assertThat(r.mode()).isEqualTo(Mode.EXCLUDED);
        assertThat(r.reasons()).containsExactly("NodePolicy ops/aa-strict: strict quota",
                "NodePolicy ops/zz-maintenance: node is in maintenance");
    }

    @Test
    void aCgroupV1NodeIsUnsupportedWithTheReasonAndAV2OrUnknownOneIsNot() {
        NodeFact v1 = node(Map.of(), null, KERNEL, 6012, 8000).withCgroups(new CgroupHierarchy(CgroupHierarchy.Version.V1,
                "/sys/fs/cgroup", "v1 controller cpu,cpuacct/ mounted there, no cgroup.controllers"));
        Run r = run(policy(defaultTiers(false)), v1);
        assertThat(r.mode()).isEqualTo(Mode.UNSUPPORTED);
        assertThat(r.reasons()).singleElement().asString().startsWith("cgroup v1 at /sys/fs/cgroup (v1 controller cpu,cpuacct/")
                .contains("every pod would run as system work");
        assertThat(r.fired()).contains("cgroup-v1").doesNotContain("attach");

        // The safe-mode request still wins, as the precedence says.
        NodeFact requested = node(Map.of(), "true", KERNEL, 6012, 8000).withCgroups(v1.cgroups());
        assertThat(run(policy(defaultTiers(false)), requested).mode()).isEqualTo(Mode.SAFE_MODE);

        for (var version : List.of(CgroupHierarchy.Version.V2, CgroupHierarchy.Version.UNKNOWN)) {
            NodeFact n = node(Map.of(), null, KERNEL, 6012, 8000).withCgroups(new CgroupHierarchy(version, "/sys/fs/cgroup", "x"));
            assertThat(run(policy(defaultTiers(false)), n).mode()).as("%s", version).isEqualTo(Mode.ATTACH);
        }
        assertThat(run(policy(defaultTiers(false)), node(Map.of(), null, KERNEL, 6012, 8000)).mode())
                .as("offline: not known, no vote").isEqualTo(Mode.ATTACH);
    }
}
