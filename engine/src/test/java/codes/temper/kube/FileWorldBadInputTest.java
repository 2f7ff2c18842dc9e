package codes.temper.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import codes.temper.yaml.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot files an operator or a script can get wrong (issue 13, items 1, 2 and 7): each is
 * refused naming the file, the last good view stays, and no thread waits on the path.
 */
class FileWorldBadInputTest {
    static final Path EXAMPLES = Path.of("../policies/examples");

    @TempDir
    Path dir;

    Path copy(String name) throws Exception {
        return Files.copy(EXAMPLES.resolve(name), dir.resolve(name));
    }

    @Test
    void anEmptyPodsFileIsRefusedAndTheLastGoodViewStays() throws Exception {
        Path pods = copy("pods.yaml"), node = copy("node.yaml");
        FileWorld world = new FileWorld(pods, node, CgroupDriver.SYSTEMD, null);
        assertThat(world.refresh()).isTrue();
        int good = world.view().pods().size();
        assertThat(good).isPositive();

        Files.write(pods, new byte[0]); // what `kubectl get pods -o yaml > pods.yaml` leaves for a moment
        assertThat(world.refresh()).isTrue();
        assertThat(world.view().pods()).as("the last good pods are kept").hasSize(good);
        assertThat(world.problem()).hasValueSatisfying(p -> assertThat(p)
                .startsWith(pods + ":1:1: the file is empty (0 bytes)"));

        // A file with no document at all (comments only) is not "no pods" either.
        Files.writeString(pods, "# kubectl was interrupted\n");
        world.refresh();
        assertThat(world.view().pods()).hasSize(good);
        assertThat(world.problem()).hasValueSatisfying(p -> assertThat(p).contains(pods.toString(), "no YAML document"));
        assertThatThrownBy(() -> Snapshots.readPods(pods)).isInstanceOf(InvalidInputException.class);

        // An explicit empty list is a real answer: no pods.
        Files.writeString(pods, "apiVersion: v1\nkind: List\nitems: []\n");
        world.refresh();
        assertThat(world.view().pods()).isEmpty();
        assertThat(world.problem()).isEmpty();
    }

    @Test
    void aFifoAtThePodsPathIsRefusedWithoutBlockingAndShutdownIsPrompt() throws Exception {
        Path pods = copy("pods.yaml"), node = copy("node.yaml");
        FileWorld world = new FileWorld(pods, node, CgroupDriver.SYSTEMD, null);
        world.refresh();
        int good = world.view().pods().size();
        Files.delete(pods);
        Process mkfifo = new ProcessBuilder("mkfifo", pods.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();

        // A bounded wait: a refresh that opened the FIFO would wait for a writer forever.
        var refresh = CompletableFuture.supplyAsync(world::refresh);
        assertThat(refresh.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(world.view().pods()).hasSize(good);
        assertThat(world.problem()).hasValueSatisfying(p -> assertThat(p)
                .isEqualTo(pods + ":1:1: not a regular file (a FIFO); refusing to open it"));
        var close = CompletableFuture.runAsync(world::close);
        close.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aDeviceIsRefusedBeforeItIsRead() {
        // /dev/zero has no size and no end: reading it ran the agent out of memory.
        assertThat(firstProblem(() -> Snapshots.readPods(Path.of("/dev/zero"))))
                .isEqualTo("/dev/zero:1:1: not a regular file (a device); refusing to open it");
        assertThat(firstProblem(() -> Snapshots.readNode(Path.of("/dev/null"))))
                .isEqualTo("/dev/null:1:1: not a regular file (a device); refusing to open it");
    }

    interface Read {
        void run() throws Exception;
    }

    /** The first problem of the refusal {@code read} must end in, as printed. */
    static String firstProblem(Read read) {
        try {
            read.run();
        } catch (InvalidInputException e) {
            return e.problems().getFirst().toString();
        } catch (Exception e) {
            throw new AssertionError("not a clean refusal", e);
        }
        throw new AssertionError("accepted");
    }

    @Test
    void aNodeFileForAnotherNodeIsRefusedNamingBoth() throws Exception {
        Path pods = copy("pods.yaml"), node = copy("node.yaml");
        FileWorld pinned = new FileWorld(pods, node, CgroupDriver.SYSTEMD, "node-b");
        pinned.refresh();
        assertThat(pinned.view().nodeSeen()).isFalse();
        assertThat(pinned.problem()).hasValueSatisfying(p -> assertThat(p)
                .isEqualTo(node + ":1:1: metadata.name: the node file is for node \"node-a\", not this agent's node \"node-b\""));

        // Without --node the first good file names the node, and a later file for another is refused.
        FileWorld world = new FileWorld(pods, node, CgroupDriver.SYSTEMD, null);
        world.refresh();
        assertThat(world.node()).hasValueSatisfying(n -> assertThat(n.getMetadata().getName()).isEqualTo("node-a"));
        Files.writeString(node, Files.readString(node).replace("name: node-a", "name: node-zzz"));
        world.refresh();
        assertThat(world.node()).hasValueSatisfying(n -> assertThat(n.getMetadata().getName()).isEqualTo("node-a"));
        assertThat(world.problem()).hasValueSatisfying(p -> assertThat(p).contains(node.toString(), "\"node-zzz\"", "\"node-a\""));
    }

    /**
     * Both files are parsed before either is bound (FileWorld.refresh), but a problem is reported
     * in the order the files are checked: the node file's (its YAML, its fields, its name) before
     * the pods file's.
     */
    @Test
    void theNodeFilesProblemIsReportedBeforeThePodsFiles() throws Exception {
        Path pods = copy("pods.yaml"), node = copy("node.yaml");
        String goodNode = Files.readString(node);
        Files.writeString(pods, "items: [\n"); // a YAML syntax error
        FileWorld pinned = new FileWorld(pods, node, CgroupDriver.SYSTEMD, "node-b");
        pinned.refresh();
        assertThat(pinned.problem()).hasValueSatisfying(p -> assertThat(p).startsWith(node + ":1:1: metadata.name: the node file is for"));

        Files.writeString(node, goodNode.replace("kind: Node", "kind: Pod"));
        FileWorld world = new FileWorld(pods, node, CgroupDriver.SYSTEMD, null);
        world.refresh();
        assertThat(world.problem()).hasValueSatisfying(p -> assertThat(p).startsWith(node + ":").contains("expected a Node"));

        Files.writeString(node, "kind: [\n");
        world.refresh();
        assertThat(world.problem()).hasValueSatisfying(p -> assertThat(p).startsWith(node + ":").contains("YAML syntax"));

        Files.writeString(node, goodNode);
        world.refresh();
        assertThat(world.problem()).hasValueSatisfying(p -> assertThat(p).startsWith(pods + ":").contains("YAML syntax"));
        assertThat(world.view().nodeSeen()).isFalse();
    }
}
