package codes.temper.kube;

import codes.temper.rules.NodeFact;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import java.util.Optional;

/** Translates a Kubernetes Node into the fact the rules decide on. */
public final class NodeFacts {
    private NodeFacts() {
    }

    /** Empty when the node reports no allocatable (nor capacity) CPU: nothing can be sized. */
    public static Optional<NodeFact> of(Node node) {
        var md = node.getMetadata();
        var status = node.getStatus();
        Quantity cpu = null;
        String kernel = null;
        if (status != null) {
            if (status.getAllocatable() != null) cpu = status.getAllocatable().get("cpu");
            if (cpu == null && status.getCapacity() != null) cpu = status.getCapacity().get("cpu");
            if (status.getNodeInfo() != null) kernel = status.getNodeInfo().getKernelVersion();
        }
        if (cpu == null) return Optional.empty();
        Map<String, String> labels = md.getLabels() == null ? Map.of() : md.getLabels();
        Map<String, String> annotations = md.getAnnotations() == null ? Map.of() : md.getAnnotations();
        return Optional.of(new NodeFact(md.getName(), labels, annotations.get(NodeFact.SAFE_MODE_ANNOTATION),
                kernel, NodeFact.kernelRelease(kernel), PodFacts.millis(cpu)));
    }
}
