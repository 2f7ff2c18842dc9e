package codes.temper.kube;

import codes.temper.yaml.NodeReader;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fields the rules' facts are computed from ({@link PodFacts}, {@link NodeFacts}), checked as
 * a snapshot is read. kube-apiserver never serves a CPU quantity that is not a number, one out
 * of range, or a null container, but a hand-edited or generated snapshot file can hold them; the
 * reader accepted them and the facts threw on every reconcile pass (the agent degraded, {@code
 * temper plan} failed with a Java exception). Now the file is refused naming the field (found by
 * the snapshot fuzz test, issue 13).
 */
final class SnapshotChecks {
    private SnapshotChecks() {
    }

    /** @param item the pod's YAML tree, to locate a problem; {@code path} its field path ("" or "items[3]") */
    static void pod(NodeReader r, org.snakeyaml.engine.v2.nodes.Node item, String path, Pod pod) {
        PodSpec spec = pod.getSpec();
        if (spec == null) return;
        List<Object> at = List.of("spec");
        resources(r, item, path, at, "resources", spec.getResources());
        containers(r, item, path, "containers", spec.getContainers());
        containers(r, item, path, "initContainers", spec.getInitContainers());
        if (spec.getOverhead() != null) cpu(r, item, path, List.of("spec", "overhead", "cpu"), spec.getOverhead().get("cpu"));
    }

    static void node(NodeReader r, org.snakeyaml.engine.v2.nodes.Node doc, Node node) {
        NodeStatus status = node.getStatus();
        if (status == null) return;
        for (String k : List.of("allocatable", "capacity")) {
            Map<String, Quantity> m = k.equals("allocatable") ? status.getAllocatable() : status.getCapacity();
            if (m != null) cpu(r, doc, "", List.of("status", k, "cpu"), m.get("cpu"));
        }
    }

    private static void containers(NodeReader r, org.snakeyaml.engine.v2.nodes.Node item, String path, String list, List<Container> cs) {
        for (int i = 0; i < cs.size(); i++) {
            List<Object> at = List.of("spec", list, i);
            if (cs.get(i) == null) {
                problem(r, item, path, at, "an empty list item where a container is expected");
            } else {
                resources(r, item, path, at, "resources", cs.get(i).getResources());
            }
        }
    }

    /** cpu is turned into millicores (limits, requests, the weight); memory only compared, for the QoS class. */
    private static void resources(NodeReader r, org.snakeyaml.engine.v2.nodes.Node item, String path, List<Object> at, String key,
            ResourceRequirements rr) {
        if (rr == null) return;
        for (String kind : List.of("limits", "requests")) {
            Map<String, Quantity> m = kind.equals("limits") ? rr.getLimits() : rr.getRequests();
            if (m == null) continue;
            cpu(r, item, path, append(at, key, kind, "cpu"), m.get("cpu"));
            Quantity mem = m.get("memory");
            if (mem != null) {
                try {
                    mem.getNumericalAmount();
                } catch (IllegalArgumentException | ArithmeticException e) {
                    problem(r, item, path, append(at, key, kind, "memory"), quote(mem) + " is not a memory quantity (e.g. 512Mi, 2Gi)");
                }
            }
        }
    }

    private static void cpu(NodeReader r, org.snakeyaml.engine.v2.nodes.Node item, String path, List<Object> at, Quantity q) {
        if (q == null) return;
        try {
            PodFacts.millis(q);
        } catch (ArithmeticException e) {
            problem(r, item, path, at, quote(q) + " is out of range for a CPU quantity");
        } catch (IllegalArgumentException e) {
            problem(r, item, path, at, quote(q) + " is not a CPU quantity (e.g. 500m, 2)");
        }
    }

    private static void problem(NodeReader r, org.snakeyaml.engine.v2.nodes.Node item, String path, List<Object> at, String message) {
        StringBuilder field = new StringBuilder(path);
        for (Object step : at) {
            if (step instanceof Integer i) field.append('[').append(i).append(']');
            else field.append(field.isEmpty() ? "" : ".").append(step);
        }
        r.problem(NodeReader.find(item, at.toArray()), field.toString(), message);
    }

    private static List<Object> append(List<Object> at, Object... more) {
        List<Object> out = new ArrayList<>(at);
        out.addAll(List.of(more));
        return out;
    }

    private static String quote(Quantity q) {
        String s = q.toString();
        return "\"" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "\"";
    }
}
