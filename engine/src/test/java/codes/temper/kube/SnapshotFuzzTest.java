package codes.temper.kube;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.fuzz.Refusals;
import codes.temper.reconcile.WorldView;
import codes.temper.yaml.InvalidInputException;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * Issue 13: the pods and node snapshot reader fuzzed, as {@code temper plan} and the file-mode
 * agent use it: {@link Snapshots} on the bytes, then {@link FileWorld} on the same bytes written to
 * files, whose view is what the reconcile loop is handed.
 *
 * <p>An input is a pods file; a line {@code #%node} starts the node file (without one, the example
 * node). Acceptable: pods and a node whose facts the rules can take (every pod and the node turned
 * into facts without an exception), or an {@link InvalidInputException} naming the file with a line
 * and column inside it; the file world then keeps its (empty) last good view and reports the
 * problem naming the file. Anything else thrown, by the reader or by the view, fails.
 */
class SnapshotFuzzTest {
    private static final String NODE_MARK = "#%node\n";
    private static final byte[] EXAMPLE_NODE;
    private static final Path BASE;

    static {
        try {
            EXAMPLE_NODE = Files.readAllBytes(Path.of("../policies/examples/node.yaml"));
            BASE = Files.createTempDirectory("temper-snapshot-fuzz");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest
    // No line breaks in entries: libFuzzer's dictionary format cannot hold them (the file is refused).
    @DictionaryEntries({"#%node", "apiVersion: v1", "kind: List", "kind: PodList", "kind: Pod", "kind: Node", "items:",
            "metadata:", "name: ", "uid: ", "namespace: ", "annotations:", "kubernetes.io/config.mirror: ", "labels:",
            "temper.codes/tier: ", "deletionTimestamp: ", "spec:", "nodeName: node-a", "priority: ", "priorityClassName: ",
            "containers:", "initContainers:", "restartPolicy: Always", "overhead:", "resources:", "limits:", "requests:", "cpu: ",
            "memory: ", "\"500m\"", "\"1e3\"", "\"2Ki\"", "\"-1\"", "status:", "phase: ", "qosClass: ", "allocatable:", "capacity:",
            "nodeInfo:", "kernelVersion: ", "{\"items\": [", "null", "~", "[]", "{}"})
    void snapshotFiles(byte[] input) throws IOException {
        int mark = indexOf(input, NODE_MARK);
        byte[] pods = mark < 0 ? input : Arrays.copyOfRange(input, 0, mark);
        byte[] node = mark < 0 ? EXAMPLE_NODE : Arrays.copyOfRange(input, mark + NODE_MARK.length(), input.length);

        List<Pod> readPods = null;
        Node readNode = null;
        try {
            readPods = Snapshots.readPods("pods.yaml", pods);
            for (Pod p : readPods) {
                assertThat(p.getMetadata().getUid()).isNotNull();
                assertThat(p.getMetadata().getName()).isNotNull();
            }
        } catch (InvalidInputException e) {
            Refusals.assertLocated(e, Map.of("pods.yaml", pods));
        }
        try {
            readNode = Snapshots.readNode("node.yaml", node);
            assertThat(readNode.getMetadata().getName()).isNotNull();
        } catch (InvalidInputException e) {
            Refusals.assertLocated(e, Map.of("node.yaml", node));
        }

        Path dir = Files.createTempDirectory(BASE, "w");
        Path podsFile = Files.write(dir.resolve("pods.yaml"), pods), nodeFile = Files.write(dir.resolve("node.yaml"), node);
        try (FileWorld world = new FileWorld(podsFile, nodeFile, CgroupDriver.SYSTEMD, "node-a")) {
            world.refresh();
            // The loop's view: every pod and the node as facts. Throwing here would fail each pass.
            WorldView view = world.view();
            boolean accepted = readPods != null && readNode != null && "node-a".equals(readNode.getMetadata().getName());
            if (accepted) {
                assertThat(view.synced()).isTrue();
                assertThat(view.pods()).hasSameSizeAs(readPods);
                assertThat(view.problem()).isEmpty();
            } else {
                assertThat(view.synced()).isFalse();
                assertThat(view.problem()).hasValueSatisfying(p -> assertThat(p).satisfiesAnyOf(
                        s -> assertThat(s).startsWith(podsFile + ":"), s -> assertThat(s).startsWith(nodeFile + ":")));
            }
            // The other cgroup driver too: it lays the pods' paths out differently.
            if (readPods != null) readPods.forEach(p -> PodFacts.of(p, CgroupDriver.CGROUPFS));
        } finally {
            Files.delete(podsFile);
            Files.delete(nodeFile);
            Files.delete(dir);
        }
    }

    private static int indexOf(byte[] b, String s) {
        byte[] needle = s.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= b.length; i++) {
            for (int j = 0; j < needle.length; j++) if (b[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Files.deleteIfExists(BASE);
    }
}
