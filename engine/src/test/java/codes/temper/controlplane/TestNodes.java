package codes.temper.controlplane;

import codes.temper.kube.Snapshots;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Node objects with no kubelet behind them, made from the example node (policies/examples/node.yaml:
 * a Debian 13 worker, kernel 6.12): what a kubelet would register, under the names
 * {@code node-000}, {@code node-001}, ... The DaemonSet controller places an agent pod on each
 * (kubernetes.io/os=linux); the pods stay Pending.
 */
public final class TestNodes {
    private TestNodes() {
    }

    public static String name(int i) {
        return "node-%03d".formatted(i);
    }

    public static List<String> names(int n) {
        return IntStream.range(0, n).mapToObj(TestNodes::name).toList();
    }

    public static Node node(String name, Map<String, String> labels) throws Exception {
        Node template = Snapshots.readNode(ControlPlane.REPO.resolve("policies/examples/node.yaml"));
        return new NodeBuilder(template).editMetadata().withName(name).withUid(null).withResourceVersion(null).withCreationTimestamp(null)
                .addToLabels("kubernetes.io/hostname", name).addToLabels(labels).endMetadata()
                .editSpec().withProviderID(null).endSpec().build();
    }

    /** Nodes node-000 .. node-(n-1) exist (those missing are created); returns their names. */
    public static List<String> ensure(KubernetesClient admin, int n) throws Exception {
        List<String> names = names(n);
        for (String name : names) {
            if (admin.nodes().withName(name).get() == null) admin.resource(node(name, Map.of())).create();
        }
        return names;
    }
}
