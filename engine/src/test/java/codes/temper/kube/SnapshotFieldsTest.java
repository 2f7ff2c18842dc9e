package codes.temper.kube;

import static codes.temper.kube.FileWorldBadInputTest.firstProblem;
import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.cli.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by SnapshotFuzzTest (issue 13; the inputs are in its corpus): a snapshot whose CPU or
 * memory quantity is not a number or is out of range, or that has an empty container item, was
 * read, and turning it into the rules' facts then threw on every reconcile pass (the agent stood
 * down as degraded, logging a stack trace each time; {@code plan} printed only the Java message,
 * "Character a is neither a decimal digit number..."). Now the file is refused naming the field.
 */
class SnapshotFieldsTest {
    @TempDir
    Path dir;

    static final String POD = "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: q, namespace: d, uid: u1}\n  spec: {nodeName: node-a, ";

    static byte[] pods(String spec) {
        return (POD + spec + "}\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aQuantityThatIsNotANumberOrOutOfRangeIsRefusedNamingTheField() {
        assertThat(firstProblem(() -> Snapshots.readPods("pods.yaml", pods("containers: [{name: c, resources: {limits: {cpu: abc}}}]"))))
                .isEqualTo("pods.yaml:5:77: items[0].spec.containers[0].resources.limits.cpu: \"abc\" is not a CPU quantity (e.g. 500m, 2)");
        assertThat(firstProblem(() -> Snapshots.readPods("pods.yaml", pods("containers: [{name: c, resources: {requests: {cpu: \"9e99999\"}}}]"))))
                .isEqualTo("pods.yaml:5:79: items[0].spec.containers[0].resources.requests.cpu: \"9e99999\" is out of range for a CPU quantity");
        assertThat(firstProblem(() -> Snapshots.readPods("pods.yaml", pods("initContainers: [{name: i, resources: {limits: {memory: lots}}}], containers: []"))))
                .isEqualTo("pods.yaml:5:84: items[0].spec.initContainers[0].resources.limits.memory: \"lots\" is not a memory quantity (e.g. 512Mi, 2Gi)");
        assertThat(firstProblem(() -> Snapshots.readPods("pods.yaml", pods("overhead: {cpu: 1e18}, containers: []"))))
                .isEqualTo("pods.yaml:5:44: items[0].spec.overhead.cpu: \"1E+18\" is out of range for a CPU quantity");
        assertThat(firstProblem(() -> Snapshots.readPods("pods.yaml", pods("resources: {limits: {cpu: \"2x\"}}, containers: []"))))
                .isEqualTo("pods.yaml:5:54: items[0].spec.resources.limits.cpu: \"2x\" is not a CPU quantity (e.g. 500m, 2)");
    }

    @Test
    void anEmptyContainerItemIsRefused() {
        assertThat(firstProblem(() -> Snapshots.readPods("pods.yaml", pods("containers: [null, {name: c}]"))))
                .isEqualTo("pods.yaml:5:41: items[0].spec.containers[0]: an empty list item where a container is expected");
    }

    @Test
    void aNodeCpuThatIsNotANumberIsRefused() {
        byte[] node = "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nstatus: {allocatable: {cpu: lots}}\n".getBytes(StandardCharsets.UTF_8);
        assertThat(firstProblem(() -> Snapshots.readNode("node.yaml", node)))
                .isEqualTo("node.yaml:4:29: status.allocatable.cpu: \"lots\" is not a CPU quantity (e.g. 500m, 2)");
    }

    @Test
    void theAgentKeepsItsLastGoodViewAndPlanNamesTheField() throws Exception {
        Path pods = Files.copy(FileWorldBadInputTest.EXAMPLES.resolve("pods.yaml"), dir.resolve("pods.yaml"));
        Path node = Files.copy(FileWorldBadInputTest.EXAMPLES.resolve("node.yaml"), dir.resolve("node.yaml"));
        FileWorld world = new FileWorld(pods, node, CgroupDriver.SYSTEMD, null);
        world.refresh();
        int good = world.view().pods().size();

        Files.writeString(pods, Files.readString(pods).replaceFirst("cpu: 250m", "cpu: 2x50m"));
        assertThat(world.refresh()).isTrue();
        assertThat(world.view().pods()).as("the view is still made, from the last good pods").hasSize(good);
        assertThat(world.problem()).hasValueSatisfying(p -> assertThat(p).startsWith(pods + ":").contains(".cpu: \"2x50m\" is not a CPU quantity"));

        CliRun plan = CliRun.of("plan", "--policies", "../policies", "--pods", pods.toString(), "--node", node.toString());
        assertThat(plan.code()).isEqualTo(1);
        assertThat(plan.err()).contains(pods + ":", "resources.requests.cpu: \"2x50m\" is not a CPU quantity").doesNotContain("Exception", "Character");
    }
}
