package codes.temper.kube;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Limits;
import codes.temper.yaml.NodeReader;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A snapshot file binds only the fields the agent reads ({@link BoundFields}). The facts the rules
 * decide on must be the same as from fabric8's whole model, bound as before, for every snapshot
 * at hand and for a pod that sets every field the facts come from.
 */
class BoundFieldsTest {

    /** fabric8's whole model, as snapshots were bound before. */
    private static final JsonMapper WHOLE = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** Sets every field PodFacts reads, each to something other than its default. */
    static final String EVERY_FIELD_READ = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata:
                name: web-0
                namespace: shop
                uid: 11111111-2222-3333-4444-555555555555
                labels: {app: web, temper.codes/tier: batch}
                annotations: {kubernetes.io/config.mirror: 99999999-aaaa-bbbb-cccc-dddddddddddd}
                deletionTimestamp: "2026-11-30T12:00:00Z"
              spec:
                nodeName: node-a
                priority: 1000
                priorityClassName: shop-high
                overhead: {cpu: 150m}
                initContainers:
                - name: proxy
                  restartPolicy: Always
                  resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 300m, memory: 64Mi}}
                - name: migrate
                  resources: {requests: {cpu: "2"}, limits: {cpu: "4"}}
                containers:
                - name: app
                  resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 1500m, memory: 1Gi}}
              status: {phase: Running, qosClass: Burstable}
            - apiVersion: v1
              kind: Pod
              metadata: {name: sized, namespace: shop, uid: 66666666-2222-3333-4444-555555555555}
              spec:
                nodeName: node-a
                resources: {requests: {cpu: 250m}, limits: {cpu: 750m}}
                containers: [{name: app}]
            """;

    static final String NODE = """
            apiVersion: v1
            kind: Node
            metadata:
              name: node-a
              labels: {temper.codes/pool: web}
              annotations: {temper.codes/safe-mode-requested: "true"}
            status:
              capacity: {cpu: "8"}
              allocatable: {cpu: 7500m}
              nodeInfo: {kernelVersion: 6.12.57+deb13-cloud-amd64}
            """;

    @Test
    void theFactsAreThoseOfTheWholeModelForAPodThatSetsEveryFieldRead() throws Exception {
        byte[] pods = EVERY_FIELD_READ.getBytes(StandardCharsets.UTF_8);
        assertSameFacts(Snapshots.readPods("pods.yaml", pods), whole("pods.yaml", pods, Pod.class));
        byte[] node = NODE.getBytes(StandardCharsets.UTF_8);
        Node bound = Snapshots.readNode("node.yaml", node);
        assertThat(NodeFacts.of(bound)).isEqualTo(NodeFacts.of(whole("node.yaml", node, Node.class).getFirst())).isPresent();
    }

    @Test
    void theFactsAreThoseOfTheWholeModelForEverySnapshotAtHand() throws Exception {
        List<Path> files = new ArrayList<>(List.of(Path.of("../policies/examples/pods.yaml"), Path.of("../policies/examples/node.yaml")));
        try (Stream<Path> corpus = Files.list(Path.of("src/test/resources/codes/temper/kube/SnapshotFuzzTestInputs/snapshotFiles"))) {
            corpus.sorted().forEach(files::add);
        }
        int pods = 0, nodes = 0;
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            List<Pod> bound = readable(() -> Snapshots.readPods(f.toString(), content));
            if (bound != null) {
                assertSameFacts(bound, whole(f.toString(), content, Pod.class));
                pods += bound.size();
            }
            Node node = readable(() -> Snapshots.readNode(f.toString(), content));
            if (node != null) {
                assertThat(NodeFacts.of(node)).as(f.toString()).isEqualTo(NodeFacts.of(whole(f.toString(), content, Node.class).getFirst()));
                nodes++;
            }
        }
        // The example alone has 31 pods of node-a and more of other nodes; a reader that quietly
        // read nothing would compare nothing.
        assertThat(pods).isGreaterThan(40);
        assertThat(nodes).isPositive();
    }

    @Test
    void aFieldTheAgentDoesNotReadIsSkippedNotBound() throws Exception {
        byte[] pods = """
                apiVersion: v1
                kind: List
                items:
                - metadata: {name: p, namespace: d, uid: u1, ownerReferences: [{kind: ReplicaSet, name: rs, uid: r1, apiVersion: apps/v1}]}
                  spec:
                    nodeName: node-a
                    affinity: {nodeAffinity: {}}
                    volumes: [{name: v, emptyDir: {}}]
                    containers: [{name: c, image: nginx, ports: [{containerPort: 80}], resources: {limits: {cpu: 500m}}}]
                  status: {phase: Running, conditions: [{type: Ready, status: "True"}], podIP: 10.0.0.1}
                  somethingNew: {from: a later Kubernetes}
                """.getBytes(StandardCharsets.UTF_8);
        Pod p = Snapshots.readPods("pods.yaml", pods).getFirst();
        assertThat(p.getMetadata().getOwnerReferences()).isEmpty();
        assertThat(p.getSpec().getAffinity()).isNull();
        assertThat(p.getSpec().getVolumes()).isEmpty();
        assertThat(p.getSpec().getContainers().getFirst().getImage()).isNull();
        assertThat(p.getSpec().getContainers().getFirst().getPorts()).isEmpty();
        assertThat(p.getStatus().getConditions()).isEmpty();
        assertThat(p.getAdditionalProperties()).isEmpty();
        // ...and the fields read are there.
        assertThat(p.getSpec().getContainers().getFirst().getResources().getLimits()).containsKey("cpu");
        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
    }

    private static void assertSameFacts(List<Pod> bound, List<Pod> whole) {
        assertThat(bound).hasSameSizeAs(whole);
        for (int i = 0; i < bound.size(); i++) {
            for (CgroupDriver d : CgroupDriver.values()) {
                assertThat(PodFacts.of(bound.get(i), d)).as(whole.get(i).getMetadata().getName()).isEqualTo(PodFacts.of(whole.get(i), d));
            }
        }
    }

    /** The file's pods (or node) bound to fabric8's whole model, from the same YAML documents. */
    @SuppressWarnings("unchecked")
    private static <T> List<T> whole(String name, byte[] content, Class<T> type) throws InvalidInputException {
        NodeReader r = new NodeReader(name, new ArrayList<>(), Limits.SNAPSHOT);
        List<T> out = new ArrayList<>();
        for (var doc : Snapshots.documents(name, content)) {
            Map<String, Object> top = (Map<String, Object>) r.toJava(doc, "");
            if (type == Node.class || "Pod".equals(top.get("kind"))) {
                out.add(WHOLE.convertValue(top, type));
            } else {
                for (Object item : (List<Object>) top.getOrDefault("items", List.of())) out.add(WHOLE.convertValue(item, type));
            }
        }
        return out;
    }

    interface Read<T> {
        T read() throws InvalidInputException, IOException;
    }

    private static <T> T readable(Read<T> read) throws IOException {
        try {
            return read.read();
        } catch (InvalidInputException e) {
            return null; // refused: compared by the bad-input tests, not here
        }
    }
}
