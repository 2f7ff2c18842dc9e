package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.policy.PolicySet;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.source.AppliedRevision;
import codes.temper.source.GitSourceException;
import codes.temper.source.PolicySource;
import codes.temper.source.PolicySources;
import codes.temper.yaml.InputFiles;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.Problem;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** The inputs of a decision: policies (a directory or a Git remote) and the node with its pods, read and checked. */
record PlanInputs(PolicySet policy, String revision, NodeFact node, List<PodFact> pods) {

    /** What {@code -} stands for in problems: kubectl's own name for it. */
    static final String STDIN = "STDIN";

    /** The node and its pods as Kubernetes objects; {@code origin} names where the node came from, for problems. */
    record Objects(Node node, String origin, List<Pod> pods) {}

    @FunctionalInterface
    interface ObjectSource {
        Objects read() throws InvalidInputException, IOException;
    }

    /**
     * {@code policies}: a directory or a Git location, as {@link PolicySources#open} tells them apart.
     * The policy is read first: a broken policy is reported before any cluster is contacted.
     */
    static PlanInputs read(String policies, PolicySources.GitOptions git, ObjectSource objects, CgroupDriver driver)
            throws InvalidInputException, GitSourceException, IOException {
        PolicySource source = PolicySources.open(policies, git, PolicySource.EvaluationCheck.NONE, Clock.systemUTC());
        AppliedRevision r = source.read();
        Objects o = objects.read();
        NodeFact node = NodeFacts.of(o.node()).orElseThrow(() -> new InvalidInputException(List.of(
                new Problem(o.origin(), 1, 1, "status.allocatable.cpu", "the node reports no allocatable or capacity CPU"))));
        List<PodFact> pods = o.pods().stream().map(p -> PodFacts.of(p, driver)).toList();
        return new PlanInputs(r.policy(), r.revision(), node, pods);
    }

    /** Snapshots from files, either of them {@code -} for standard input. */
    static Objects fromFiles(String podsArg, String nodeArg, InputStream stdin) throws InvalidInputException {
        Node node = Snapshots.readNode(name(nodeArg), bytes(nodeArg, stdin));
        List<Pod> pods = Snapshots.readPods(name(podsArg), bytes(podsArg, stdin));
        return new Objects(node, name(nodeArg), pods);
    }

    /**
     * The node and the pods bound to it, from the API server (get and list only). The field
     * selector asks the server for this node's pods; the filter after it keeps only those even
     * from a server that ignores the selector.
     */
    static Objects fromCluster(KubernetesClient client, String nodeName) throws InvalidInputException {
        String origin = "node/" + nodeName;
        Node node = client.nodes().withName(nodeName).get();
        if (node == null) throw new InvalidInputException(List.of(new Problem(origin, 1, 1, "", "no such node in the cluster")));
        List<Pod> pods = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).list().getItems().stream()
                .filter(p -> p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName())).toList();
        if (pods.size() > Snapshots.MAX_PODS) {
            throw new InvalidInputException(List.of(new Problem(origin, 1, 1, "", pods.size() + " pods on the node; at most "
                    + Snapshots.MAX_PODS + " are read")));
        }
        return new Objects(node, origin, pods);
    }

    private static String name(String arg) {
        return "-".equals(arg) ? STDIN : arg;
    }

    private static byte[] bytes(String arg, InputStream stdin) throws InvalidInputException {
        if ("-".equals(arg)) return InputFiles.read(stdin, STDIN, Limits.SNAPSHOT.maxBytes());
        return InputFiles.read(Path.of(arg), arg, Limits.SNAPSHOT.maxBytes());
    }
}
