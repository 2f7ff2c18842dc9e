package codes.temper.kube;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.policy.QosClass;
import codes.temper.reconcile.CpuWeight;
import codes.temper.rules.PodFact;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** PodFacts: QoS class, effective CPU limit and pod cgroup path, as the API server and kubelet see them. */
class PodFactsTest {

    private static final String UID = "3f2b8c1e-7a4d-4e9b-b1c6-5d8e2f0a9c47";
    private static final String UID_UNDERSCORED = "3f2b8c1e_7a4d_4e9b_b1c6_5d8e2f0a9c47";

    // ---------------------------------------------------------------- builders

    /** Resources from "cpu=500m,memory=1Gi"-style strings; null or "" for none. */
    private static ResourceRequirements res(String requests, String limits) {
        var b = new ResourceRequirementsBuilder();
        if (requests != null && !requests.isEmpty()) b.withRequests(quantities(requests));
        if (limits != null && !limits.isEmpty()) b.withLimits(quantities(limits));
        return b.build();
    }

    private static Map<String, Quantity> quantities(String spec) {
        var m = new java.util.LinkedHashMap<String, Quantity>();
        for (String kv : spec.split(",")) {
            String[] p = kv.split("=");
            m.put(p[0], new Quantity(p[1]));
        }
        return m;
    }

    private static Container c(String name, String requests, String limits) {
        return new ContainerBuilder().withName(name).withImage("registry.example/" + name + ":1")
                .withResources(res(requests, limits)).build();
    }

    private static Container sidecar(String name, String requests, String limits) {
        return new ContainerBuilder(c(name, requests, limits)).withRestartPolicy("Always").build();
    }

    private static Container bare(String name) {
        return new ContainerBuilder().withName(name).withImage("registry.example/" + name + ":1").build();
    }

    /** A pod with no status, so the QoS class must be computed. */
    private static Pod pod(List<Container> init, List<Container> containers) {
        return new PodBuilder()
                .withNewMetadata().withNamespace("shop").withName("web-0").withUid(UID).endMetadata()
                .withNewSpec().withNodeName("node-a").withInitContainers(init).withContainers(containers).endSpec()
                .build();
    }

    private static Pod pod(Container... containers) {
        return pod(List.of(), List.of(containers));
    }

    private static PodSpec spec(List<Container> init, List<Container> containers) {
        return new PodSpecBuilder().withInitContainers(init).withContainers(containers).build();
    }

    // ---------------------------------------------------------------- QoS class without status.qosClass

    @Nested
    class QosWithoutStatus {
        @Test
        void requestsEqualToLimitsForCpuAndMemoryIsGuaranteed() {
            Pod p = pod(c("app", "cpu=500m,memory=256Mi", "cpu=500m,memory=256Mi"),
                        c("log", "cpu=100m,memory=64Mi", "cpu=100m,memory=64Mi"));
            assertThat(PodFacts.qosClass(p)).isEqualTo(QosClass.Guaranteed);
        }

        @Test
        void limitsOnlyIsGuaranteedBecauseRequestsDefaultToLimits() {
            assertThat(PodFacts.qosClass(pod(c("app", null, "cpu=1,memory=1Gi")))).isEqualTo(QosClass.Guaranteed);
        }

        @Test
        void equalAmountsWrittenDifferentlyAreStillEqual() {
            // 0.5 CPU and 500m are the same quantity; 1Gi and 1024Mi too.
            assertThat(PodFacts.qosClass(pod(c("app", "cpu=0.5,memory=1024Mi", "cpu=500m,memory=1Gi"))))
                    .isEqualTo(QosClass.Guaranteed);
        }

        @Test
        void requestsBelowLimitsIsBurstable() {
            assertThat(PodFacts.qosClass(pod(c("app", "cpu=250m,memory=256Mi", "cpu=1,memory=256Mi"))))
                    .isEqualTo(QosClass.Burstable);
        }

        @Test
        void requestsOnlyIsBurstable() {
            assertThat(PodFacts.qosClass(pod(c("app", "cpu=100m", null)))).isEqualTo(QosClass.Burstable);
        }

        @Test
        void cpuLimitWithoutMemoryLimitIsBurstable() {
            assertThat(PodFacts.qosClass(pod(c("app", null, "cpu=1")))).isEqualTo(QosClass.Burstable);
        }

        @Test
        void oneGuaranteedContainerAndOneWithoutResourcesIsBurstable() {
            assertThat(PodFacts.qosClass(pod(c("app", null, "cpu=1,memory=1Gi"), bare("helper"))))
                    .isEqualTo(QosClass.Burstable);
        }

        @Test
        void noRequestsOrLimitsAnywhereIsBestEffort() {
            assertThat(PodFacts.qosClass(pod(bare("app"), bare("helper")))).isEqualTo(QosClass.BestEffort);
        }

        @Test
        void otherResourcesDoNotCount() {
            Container gpuOnly = c("app", "nvidia.com/gpu=1,ephemeral-storage=1Gi", "nvidia.com/gpu=1,ephemeral-storage=2Gi");
            assertThat(PodFacts.qosClass(pod(gpuOnly))).isEqualTo(QosClass.BestEffort);
        }

        @Test
        void zeroQuantitiesCountAsUnset() {
            // The API server ignores zero requests and limits when it classifies a pod.
            assertThat(PodFacts.qosClass(pod(c("app", "cpu=0,memory=0", null)))).isEqualTo(QosClass.BestEffort);
            assertThat(PodFacts.qosClass(pod(c("app", "cpu=0", "cpu=0")))).isEqualTo(QosClass.BestEffort);
        }

        @Test
        void zeroRequestBelowALimitIsBurstable() {
            assertThat(PodFacts.qosClass(pod(c("app", "cpu=0,memory=1Gi", "cpu=1,memory=1Gi"))))
                    .isEqualTo(QosClass.Burstable);
        }

        @Test
        void initContainerWithoutResourcesSpoilsGuaranteed() {
            Pod p = pod(List.of(bare("migrate")), List.of(c("app", null, "cpu=1,memory=1Gi")));
            assertThat(PodFacts.qosClass(p)).isEqualTo(QosClass.Burstable);
        }

        @Test
        void initContainerWithResourcesMakesAnOtherwiseBestEffortPodBurstable() {
            Pod p = pod(List.of(c("migrate", "cpu=100m", null)), List.of(bare("app")));
            assertThat(PodFacts.qosClass(p)).isEqualTo(QosClass.Burstable);
        }

        @Test
        void guaranteedInitContainersKeepGuaranteed() {
            Pod p = pod(List.of(c("migrate", null, "cpu=2,memory=512Mi"), sidecar("proxy", null, "cpu=200m,memory=128Mi")),
                        List.of(c("app", null, "cpu=1,memory=1Gi")));
            assertThat(PodFacts.qosClass(p)).isEqualTo(QosClass.Guaranteed);
        }

        @Test
        void podLevelResourcesDecideWhenSet() {
            Pod p = new PodBuilder(pod(bare("app"), bare("helper")))
                    .editSpec().withResources(res(null, "cpu=2,memory=2Gi")).endSpec().build();
            assertThat(PodFacts.qosClass(p)).isEqualTo(QosClass.Guaranteed);
        }
    }

    @Test
    void statusQosClassWinsOverTheSpec() {
        Pod p = new PodBuilder(pod(c("app", null, "cpu=1,memory=1Gi")))
                .withNewStatus().withPhase("Running").withQosClass("Burstable").endStatus().build();
        assertThat(PodFacts.qosClass(p)).isEqualTo(QosClass.Burstable);
    }

    @Test
    void unknownStatusQosClassFallsBackToComputing() {
        Pod p = new PodBuilder(pod(c("app", "cpu=100m", null)))
                .withNewStatus().withPhase("Running").withQosClass("Platinum").endStatus().build();
        assertThat(PodFacts.qosClass(p)).isEqualTo(QosClass.Burstable);
    }

    // ---------------------------------------------------------------- effective CPU limit

    @Nested
    class CpuLimit {
        @Test
        void sumOfAppContainers() {
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "cpu=500m"), c("b", null, "cpu=1500m")))))
                    .isEqualTo(2000);
        }

        @Test
        void quantitiesInCoresAndMillicoresParse() {
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "cpu=1.5"))))).isEqualTo(1500);
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "cpu=250m"))))).isEqualTo(250);
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "cpu=2"))))).isEqualTo(2000);
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "cpu=1.5"), c("b", null, "cpu=250m")))))
                    .isEqualTo(1750);
        }

        @Test
        void sidecarLimitAddsToTheApp() {
            PodSpec s = spec(List.of(sidecar("proxy", null, "cpu=200m")), List.of(c("app", null, "cpu=1")));
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(1200);
        }

        @Test
        void regularInitContainerLargerThanTheAppWins() {
            PodSpec s = spec(List.of(c("migrate", null, "cpu=3")), List.of(c("app", null, "cpu=500m"), c("log", null, "cpu=500m")));
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(3000);
        }

        @Test
        void regularInitContainerSmallerThanTheAppDoesNotCount() {
            PodSpec s = spec(List.of(c("migrate", null, "cpu=500m")), List.of(c("app", null, "cpu=2")));
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(2000);
        }

        @Test
        void initContainerRunsAlongsideTheSidecarsStartedBeforeIt() {
            // proxy (500m) starts, then migrate (2) runs beside it: peak 2500; app phase 1 + 0.5 = 1500.
            PodSpec s = spec(List.of(sidecar("proxy", null, "cpu=500m"), c("migrate", null, "cpu=2")),
                             List.of(c("app", null, "cpu=1")));
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(2500);
        }

        @Test
        void sidecarStartedAfterAnInitContainerDoesNotAddToIt() {
            // migrate (2) runs alone; then proxy (500m) starts and stays: app phase 1 + 0.5 = 1500.
            PodSpec s = spec(List.of(c("migrate", null, "cpu=2"), sidecar("proxy", null, "cpu=500m")),
                             List.of(c("app", null, "cpu=1")));
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(2000);
        }

        @Test
        void appContainerWithoutLimitMakesThePodUnbounded() {
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "cpu=1"), c("b", "cpu=100m", null)))))
                    .isEqualTo(-1);
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(bare("a"))))).isEqualTo(-1);
        }

        @Test
        void memoryLimitAloneIsNoCpuLimit() {
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "memory=1Gi"))))).isEqualTo(-1);
        }

        @Test
        void aZeroCpuLimitIsNoLimit() {
            // The kubelet writes no quota for a zero limit: the pod is unbounded, not capped at 0.
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "cpu=0"))))).isEqualTo(-1);
            assertThat(PodFacts.cpuLimitMillis(spec(List.of(), List.of(c("a", null, "cpu=1"), c("b", null, "cpu=0m"))))).isEqualTo(-1);
        }

        @Test
        void sidecarWithoutLimitMakesThePodUnbounded() {
            PodSpec s = spec(List.of(sidecar("proxy", "cpu=100m", null)), List.of(c("app", null, "cpu=1")));
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(-1);
        }

        @Test
        void regularInitContainerWithoutLimitMakesThePodUnbounded() {
            PodSpec s = spec(List.of(bare("migrate")), List.of(c("app", null, "cpu=1")));
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(-1);
        }

        @Test
        void podLevelLimitWins() {
            PodSpec s = new PodSpecBuilder(spec(List.of(), List.of(c("a", null, "cpu=1"), c("b", null, "cpu=1"))))
                    .withResources(res(null, "cpu=4")).build();
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(4000);
        }

        @Test
        void podLevelLimitBoundsContainersThatHaveNone() {
            PodSpec s = new PodSpecBuilder(spec(List.of(), List.of(bare("a"))))
                    .withResources(res("cpu=1", "cpu=1500m")).build();
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(1500);
        }

        @Test
        void podLevelRequestsWithoutALimitFallBackToTheContainers() {
            PodSpec s = new PodSpecBuilder(spec(List.of(), List.of(c("a", null, "cpu=750m"))))
                    .withResources(res("cpu=500m", "memory=1Gi")).build();
            assertThat(PodFacts.cpuLimitMillis(s)).isEqualTo(750);
        }
    }

    // ---------------------------------------------------------------- effective CPU request (cpu.weight)

    @Nested
    class CpuRequest {
        @Test
        void sumOfAppContainersAndNoneIsZero() {
            assertThat(PodFacts.cpuRequestMillis(spec(List.of(), List.of(c("a", "cpu=250m", null), c("b", "cpu=1", null)))))
                    .isEqualTo(1250);
            assertThat(PodFacts.cpuRequestMillis(spec(List.of(), List.of(bare("a"))))).isZero();
            assertThat(PodFacts.cpuRequestMillis(spec(List.of(), List.of(c("a", "memory=1Gi", null), c("b", "cpu=100m", null)))))
                    .as("a container without a cpu request adds nothing").isEqualTo(100);
        }

        @Test
        void aLimitWithoutARequestRequestsTheLimit() {
            // The API server defaults requests to limits; a pod read from a file may predate that.
            assertThat(PodFacts.cpuRequestMillis(spec(List.of(), List.of(c("a", null, "cpu=2"), c("b", "cpu=100m", "cpu=1")))))
                    .isEqualTo(2100);
        }

        @Test
        void regularInitContainerLargerThanTheAppWins() {
            PodSpec s = spec(List.of(c("migrate", "cpu=3", null)), List.of(c("app", "cpu=500m", null)));
            assertThat(PodFacts.cpuRequestMillis(s)).isEqualTo(3000);
            PodSpec smaller = spec(List.of(c("migrate", "cpu=100m", null)), List.of(c("app", "cpu=500m", null)));
            assertThat(PodFacts.cpuRequestMillis(smaller)).isEqualTo(500);
        }

        @Test
        void sidecarsAddToTheAppAndToInitContainersStartedAfterThem() {
            PodSpec s = spec(List.of(sidecar("proxy", "cpu=200m", null)), List.of(c("app", "cpu=1", null)));
            assertThat(PodFacts.cpuRequestMillis(s)).isEqualTo(1200);
            PodSpec before = spec(List.of(sidecar("proxy", "cpu=500m", null), c("migrate", "cpu=2", null)),
                                  List.of(c("app", "cpu=1", null)));
            assertThat(PodFacts.cpuRequestMillis(before)).isEqualTo(2500);
            PodSpec after = spec(List.of(c("migrate", "cpu=2", null), sidecar("proxy", "cpu=500m", null)),
                                 List.of(c("app", "cpu=1", null)));
            assertThat(PodFacts.cpuRequestMillis(after)).isEqualTo(2000);
        }

        @Test
        void podLevelRequestWinsAndOverheadIsAdded() {
            PodSpec podLevel = new PodSpecBuilder(spec(List.of(), List.of(c("a", "cpu=1", null), c("b", "cpu=1", null))))
                    .withResources(res("cpu=500m", null)).build();
            assertThat(PodFacts.cpuRequestMillis(podLevel)).isEqualTo(500);
            PodSpec withOverhead = new PodSpecBuilder(spec(List.of(), List.of(c("a", "cpu=1", null))))
                    .withOverhead(Map.of("cpu", new Quantity("250m"))).build();
            assertThat(PodFacts.cpuRequestMillis(withOverhead)).isEqualTo(1250);
            PodSpec both = new PodSpecBuilder(podLevel).withOverhead(Map.of("cpu", new Quantity("100m"))).build();
            assertThat(PodFacts.cpuRequestMillis(both)).isEqualTo(600);
        }

        @Test
        void theFactCarriesIt() {
            assertThat(PodFacts.of(pod(c("app", "cpu=100m", null), c("log", "cpu=150m", null)), CgroupDriver.SYSTEMD).cpuRequestMillis())
                    .isEqualTo(250);
        }
    }

    @Test
    void weightIsKubeletsCpuWeight() {
        // shares = max(2, m * 1024 / 1000); weight = 1 + (shares - 2) * 9999 / 262142
        assertThat(CpuWeight.ofRequestMillis(0)).isEqualTo(1);
        assertThat(CpuWeight.ofRequestMillis(-1)).isEqualTo(1);
        assertThat(CpuWeight.ofRequestMillis(1)).as("1m: shares 1 -> the minimum 2").isEqualTo(1);
        assertThat(CpuWeight.ofRequestMillis(100)).isEqualTo(4);
        assertThat(CpuWeight.ofRequestMillis(250)).isEqualTo(10);
        assertThat(CpuWeight.ofRequestMillis(500)).isEqualTo(20);
        assertThat(CpuWeight.ofRequestMillis(1000)).isEqualTo(39);
        assertThat(CpuWeight.ofRequestMillis(4000)).isEqualTo(157);
        assertThat(CpuWeight.ofRequestMillis(256_000)).as("shares 262144, the maximum").isEqualTo(10_000);
        assertThat(CpuWeight.ofRequestMillis(1_000_000)).isEqualTo(10_000);
        assertThat(CpuWeight.ofRequestMillis(Long.MAX_VALUE)).isEqualTo(10_000);
        assertThat(CpuWeight.shares(0)).isEqualTo(2);
        assertThat(CpuWeight.shares(1000)).isEqualTo(1024);
    }

    // ---------------------------------------------------------------- the fact and its cgroup

    @Test
    void burstablePodCgroupForBothDrivers() {
        Pod p = pod(c("app", "cpu=100m", "cpu=1"));
        assertThat(PodFacts.of(p, CgroupDriver.SYSTEMD).cgroup())
                .isEqualTo("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + UID_UNDERSCORED + ".slice")
                .isEqualTo("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f2b8c1e_7a4d_4e9b_b1c6_5d8e2f0a9c47.slice");
        assertThat(PodFacts.of(p, CgroupDriver.CGROUPFS).cgroup())
                .isEqualTo("kubepods/burstable/pod3f2b8c1e-7a4d-4e9b-b1c6-5d8e2f0a9c47");
    }

    @Test
    void guaranteedPodCgroupIsDirectlyUnderKubepods() {
        Pod p = pod(c("app", null, "cpu=1,memory=1Gi"));
        assertThat(PodFacts.of(p, CgroupDriver.SYSTEMD).cgroup())
                .isEqualTo("kubepods.slice/kubepods-pod3f2b8c1e_7a4d_4e9b_b1c6_5d8e2f0a9c47.slice");
        assertThat(PodFacts.of(p, CgroupDriver.CGROUPFS).cgroup())
                .isEqualTo("kubepods/pod3f2b8c1e-7a4d-4e9b-b1c6-5d8e2f0a9c47");
    }

    @Test
    void bestEffortPodCgroupForBothDrivers() {
        Pod p = pod(bare("app"));
        assertThat(PodFacts.of(p, CgroupDriver.SYSTEMD).cgroup())
                .isEqualTo("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod3f2b8c1e_7a4d_4e9b_b1c6_5d8e2f0a9c47.slice");
        assertThat(PodFacts.of(p, CgroupDriver.CGROUPFS).cgroup())
                .isEqualTo("kubepods/besteffort/pod3f2b8c1e-7a4d-4e9b-b1c6-5d8e2f0a9c47");
    }

    @Test
    void mirrorPodCgroupIsNamedByTheStaticPodHashNotTheApiUid() {
        String hash = "6a1f0c3e9b2d47f58c1e0a9b3d7f2e64";
        Pod p = new PodBuilder()
                .withNewMetadata().withNamespace("kube-system").withName("nginx-proxy-node-a")
                .withUid("91d4c2e7-0f3b-4a58-9c6e-2b7d1f8a3e05")
                .withAnnotations(Map.of("kubernetes.io/config.hash", hash, "kubernetes.io/config.mirror", hash,
                        "kubernetes.io/config.source", "file"))
                .endMetadata()
                .withNewSpec().withNodeName("node-a").withContainers(c("nginx-proxy", "cpu=25m,memory=32M", null)).endSpec()
                .withNewStatus().withPhase("Running").withQosClass("Burstable").endStatus()
                .build();
        PodFact sd = PodFacts.of(p, CgroupDriver.SYSTEMD);
        assertThat(sd.cgroup()).isEqualTo("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6a1f0c3e9b2d47f58c1e0a9b3d7f2e64.slice");
        assertThat(sd.uid()).isEqualTo("91d4c2e7-0f3b-4a58-9c6e-2b7d1f8a3e05");
        assertThat(PodFacts.of(p, CgroupDriver.CGROUPFS).cgroup()).isEqualTo("kubepods/burstable/pod6a1f0c3e9b2d47f58c1e0a9b3d7f2e64");
    }

    @Test
    void factCarriesWhatTheRulesDecideOn() {
        Pod p = new PodBuilder()
                .withNewMetadata().withNamespace("payments").withName("api-7d9f-k2x9m").withUid(UID)
                .withLabels(Map.of("app", "api", "temper.codes/tier", "low"))
                .withDeletionTimestamp("2025-11-20T10:02:11Z").withDeletionGracePeriodSeconds(30L)
                .endMetadata()
                .withNewSpec().withNodeName("node-a").withPriority(100000).withPriorityClassName("high-priority")
                .withContainers(c("api", "cpu=500m,memory=512Mi", "cpu=1,memory=512Mi")).endSpec()
                .withNewStatus().withPhase("Running").withQosClass("Burstable").endStatus()
                .build();
        PodFact f = PodFacts.of(p, CgroupDriver.SYSTEMD);
        assertThat(f).isEqualTo(new PodFact(UID, "payments", "api-7d9f-k2x9m", "node-a", "Running", QosClass.Burstable,
                100000, true, "high-priority", "low", 1000, 500,
                "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f2b8c1e_7a4d_4e9b_b1c6_5d8e2f0a9c47.slice",
                true));
        assertThat(f.key()).isEqualTo("payments/api-7d9f-k2x9m");
    }

    @Test
    void podWithoutClassStatusOrLabels() {
        Pod p = pod(c("app", "cpu=100m", null));
        PodFact f = PodFacts.of(p, CgroupDriver.CGROUPFS);
        assertThat(f.priority()).isZero();
        assertThat(f.hasPriorityClass()).isFalse();
        assertThat(f.priorityClassName()).isNull();
        assertThat(f.tierLabel()).isNull();
        assertThat(f.terminating()).isFalse();
        assertThat(f.phase()).isEqualTo("Pending");
        assertThat(f.qosClass()).isEqualTo(QosClass.Burstable);
    }

    @Test
    void emptyPriorityClassNameIsNoClass() {
        Pod p = new PodBuilder(pod(bare("app"))).editSpec().withPriorityClassName("").withPriority(0).endSpec().build();
        assertThat(PodFacts.of(p, CgroupDriver.SYSTEMD).hasPriorityClass()).isFalse();
    }

    @Test
    void negativePriorityIsKept() {
        Pod p = new PodBuilder(pod(bare("app"))).editSpec().withPriorityClassName("preemptible").withPriority(-1000).endSpec().build();
        PodFact f = PodFacts.of(p, CgroupDriver.SYSTEMD);
        assertThat(f.priority()).isEqualTo(-1000);
        assertThat(f.hasPriorityClass()).isTrue();
    }
}
