package codes.temper.kube;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.rules.NodeFact;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NodeFacts: which CPU figure sizes the node, the kernel release, labels and the safe-mode annotation. */
class NodeFactsTest {

    private static NodeBuilder node(Map<String, Quantity> allocatable, Map<String, Quantity> capacity, String kernel) {
        return new NodeBuilder()
                .withNewMetadata().withName("node-a").withUid("0b7e3f52-9c41-4d8e-a6f2-3e1d5c8b9a47")
                .withLabels(Map.of("kubernetes.io/hostname", "node-a", "kubernetes.io/os", "linux")).endMetadata()
                .withNewStatus().withAllocatable(allocatable).withCapacity(capacity)
                .withNewNodeInfo().withKernelVersion(kernel).withKubeletVersion("v1.34.2").endNodeInfo()
                .endStatus();
    }

    private static NodeFact fact(Node n) {
        return NodeFacts.of(n).orElseThrow();
    }

    @Test
    void allocatableIsPreferredOverCapacity() {
        Node n = node(Map.of("cpu", new Quantity("7910m"), "memory", new Quantity("31557460Ki")),
                      Map.of("cpu", new Quantity("8"), "memory", new Quantity("32408404Ki")), "6.12.57+deb13-cloud-amd64").build();
        assertThat(fact(n).allocatableMillis()).isEqualTo(7910);
    }

    @Test
    void capacityIsUsedWhenAllocatableHasNoCpu() {
        Node n = node(Map.of("memory", new Quantity("31557460Ki")), Map.of("cpu", new Quantity("8")), "6.12.57+deb13-cloud-amd64").build();
        assertThat(fact(n).allocatableMillis()).isEqualTo(8000);
    }

    @Test
    void fractionalCpuIsReadInMillicores() {
        Node n = node(Map.of("cpu", new Quantity("3.5")), Map.of(), "6.12.0").build();
        assertThat(fact(n).allocatableMillis()).isEqualTo(3500);
    }

    @Test
    void noCpuAnywhereMeansNoFact() {
        Node n = node(Map.of("memory", new Quantity("1Gi")), Map.of("pods", new Quantity("110")), "6.12.0").build();
        assertThat(NodeFacts.of(n)).isEmpty();
    }

    @Test
    void noStatusMeansNoFact() {
        Node n = new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().build();
        assertThat(NodeFacts.of(n)).isEmpty();
    }

    @Test
    void kernelReleaseFromNodeInfo() {
        Map<String, Quantity> cpu = Map.of("cpu", new Quantity("8"));
        assertThat(fact(node(cpu, cpu, "6.12.57+deb13-cloud-amd64").build()).kernelRelease()).isEqualTo(6012);
        assertThat(fact(node(cpu, cpu, "5.15.0-1051-aws").build()).kernelRelease()).isEqualTo(5015);
        assertThat(fact(node(cpu, cpu, "7.2.13").build()).kernelRelease()).isEqualTo(7002);
        assertThat(fact(node(cpu, cpu, "6.1.0-18-amd64").build()).kernelRelease()).isEqualTo(6001);
        assertThat(fact(node(cpu, cpu, "6.17").build()).kernelRelease()).isEqualTo(6017);
        assertThat(fact(node(cpu, cpu, "garbage").build()).kernelRelease()).isEqualTo(-1);
        assertThat(fact(node(cpu, cpu, "").build()).kernelRelease()).isEqualTo(-1);
        assertThat(fact(node(cpu, cpu, "6").build()).kernelRelease()).isEqualTo(-1);
        assertThat(fact(node(cpu, cpu, null).build()).kernelRelease()).isEqualTo(-1);
    }

    @Test
    void kernelVersionIsKeptAsReported() {
        Map<String, Quantity> cpu = Map.of("cpu", new Quantity("8"));
        assertThat(fact(node(cpu, cpu, "6.12.57+deb13-cloud-amd64").build()).kernelVersion()).isEqualTo("6.12.57+deb13-cloud-amd64");
        assertThat(fact(node(cpu, cpu, null).build()).kernelVersion()).isNull();
    }

    @Test
    void kernelReleaseParsing() {
        assertThat(NodeFact.kernelRelease("6.12.57+deb13-cloud-amd64")).isEqualTo(6012);
        assertThat(NodeFact.kernelRelease("5.15.0-1051-aws")).isEqualTo(5015);
        assertThat(NodeFact.kernelRelease("7.2.13")).isEqualTo(7002);
        assertThat(NodeFact.kernelRelease("6.12.0")).isEqualTo(6012);
        assertThat(NodeFact.kernelRelease("6.11.0-rc3")).isEqualTo(6011);
        assertThat(NodeFact.kernelRelease(" 6.12.1 ")).isEqualTo(6012);
        assertThat(NodeFact.kernelRelease("garbage")).isEqualTo(-1);
        assertThat(NodeFact.kernelRelease("v6.12.0")).isEqualTo(-1);
        assertThat(NodeFact.kernelRelease("6.x")).isEqualTo(-1);
        assertThat(NodeFact.kernelRelease(null)).isEqualTo(-1);
    }

    @Test
    void nameLabelsAndNoSafeModeRequest() {
        NodeFact f = fact(node(Map.of("cpu", new Quantity("7910m")), Map.of(), "6.12.57+deb13-cloud-amd64").build());
        assertThat(f).isEqualTo(new NodeFact("node-a", Map.of("kubernetes.io/hostname", "node-a", "kubernetes.io/os", "linux"),
                null, "6.12.57+deb13-cloud-amd64", 6012, 7910));
    }

    @Test
    void safeModeAnnotationValueIsPassedThroughVerbatim() {
        for (String v : new String[] {"true", "false", "yes", ""}) {
            Node n = node(Map.of("cpu", new Quantity("8")), Map.of(), "6.12.0")
                    .editMetadata().withAnnotations(Map.of("temper.codes/safe-mode-requested", v, "node.alpha.kubernetes.io/ttl", "0")).endMetadata()
                    .build();
            assertThat(fact(n).safeModeRequest()).as("annotation value %s", v).isEqualTo(v);
        }
    }

    @Test
    void nodeWithoutLabelsOrAnnotations() {
        Node n = new NodeBuilder().withNewMetadata().withName("bare").endMetadata()
                .withNewStatus().withAllocatable(Map.of("cpu", new Quantity("2"))).endStatus().build();
        NodeFact f = fact(n);
        assertThat(f.labels()).isEmpty();
        assertThat(f.safeModeRequest()).isNull();
        assertThat(f.kernelVersion()).isNull();
        assertThat(f.kernelRelease()).isEqualTo(-1);
        assertThat(f.allocatableMillis()).isEqualTo(2000);
    }
}
