package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.kube.CgroupDriver;
import codes.temper.reconcile.Reconciler;
import codes.temper.rules.Mode;
import codes.temper.sched.DriverChoice;
import codes.temper.sched.EjectionBackoff;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 25, points 1 and 3: the runbook's and the uninstall's commands, read from docs/runbook.md
 * and docs/upgrade.md and run as written against a real agent and a directory laid out like a
 * node's root, which is what {@code kubectl debug node/NODE} mounts at {@code /host}: {@code run/},
 * and {@code var/run} an absolute symbolic link to {@code /run}, as on Debian and most
 * distributions. The agent's safe-mode file is where the chart's hostPath puts it on that node.
 *
 * <p>What a debug container runs after {@code --} runs here with {@code /host} standing for that
 * directory; every {@code /host/...} path must resolve inside it (through {@code var/run -> /run}
 * it resolved to this machine's {@code /run}, as in a debug container to the container's: the old
 * commands fail that check, and are never run). The status API's commands run in bash with
 * {@code TOKEN} set, and with the port-forward's local port 9740 replaced by the agent's port (the
 * one change: tests share the machine).
 */
class RunbookCommandsTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String TOKEN = "runbook-token-0123456789abcdef";
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** The chart's hostPath for the safe-mode file's directory (HelmChartTest checks the chart mounts it there). */
    static final String SAFE_MODE_HOST_DIR = "/run/temper";

    @TempDir
    Path dir;
    Path host;
    Agent agent;

    @BeforeEach
    void node() throws Exception {
        host = Files.createDirectories(dir.resolve("host"));
        Files.createDirectories(host.resolve("run"));
        Files.createDirectories(host.resolve("var"));
        Files.createSymbolicLink(host.resolve("var/run"), Path.of("/run"));
        // What the DaemonSet's DirectoryOrCreate hostPaths leave on the node.
        for (String d : List.of("run/temper", "var/lib/temper", "var/log/temper")) Files.createDirectories(host.resolve(d));
        Path tokens = Files.writeString(dir.resolve("tokens"), TOKEN + "\n");
        Agent.Options o = new Agent.Options(null, null, REPO.resolve("policies/examples/pods.yaml"), REPO.resolve("policies/examples/node.yaml"),
                REPO.resolve("policies").toString(), host.resolve("var/lib/temper"), null, null, Duration.ofSeconds(5), Duration.ofSeconds(1),
                host.resolve(SAFE_MODE_HOST_DIR.substring(1)).resolve("safe-mode"), Duration.ofMillis(20), DriverChoice.Mode.DRY_RUN, null,
                Files.createDirectories(dir.resolve("cgroup")), CgroupDriver.SYSTEMD, Reconciler.Pacing.DEFAULT, EjectionBackoff.defaults(),
                new Agent.Api("127.0.0.1", 0, tokens, null), null);
        agent = new Agent(o).start();
        awaitMode(Mode.DRY_RUN, "engaged");
    }

    @AfterEach
    void stop() {
        if (agent != null) agent.close();
    }

    void awaitMode(Mode mode, String what) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(30), () -> agent.status() != null && agent.status().mode() == mode);
    }

    static String doc(String name) throws Exception {
        return Files.readString(REPO.resolve("docs").resolve(name));
    }

    /** The command a debug container runs: what follows {@code --} in {@code kubectl debug node/NODE ... -- CMD}. */
    static String debugCommand(String doc, String verb) {
        Matcher m = Pattern.compile("`kubectl debug node/NODE -it --image=busybox -- (" + verb + " [^`]+)`").matcher(doc);
        assertThat(m.find()).as("a kubectl debug ... -- " + verb + " command").isTrue();
        return m.group(1);
    }

    /** Runs a debug container's command on the host-like directory, after checking it stays on the node. */
    String onTheNode(String command) throws Exception {
        Path root = host.toRealPath();
        for (String word : command.split("\\s+")) {
            if (!word.startsWith("/host/")) continue;
            Path p = host.resolve(word.substring("/host/".length()));
            Path parent = p.getParent().toRealPath();
            assertThat(parent).as(word + " resolves on the node, not in the debug container (it resolves to " + parent + ")").startsWith(root);
        }
        return bash(command.replace("/host/", host + "/"), Map.of());
    }

    static String bash(String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "--norc", "--noprofile", "-euo", "pipefail", "-c", script).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(script + "\n" + out).isZero();
        return out;
    }

    @Test
    void theNodeLocalFileKillSwitchWorksThroughKubectlDebugsHostMount() throws Exception {
        String runbook = doc("runbook.md");
        onTheNode(debugCommand(runbook, "touch"));
        awaitMode(Mode.SAFE_MODE, "safe mode from the file");
        assertThat(agent.status().reasons()).anyMatch(r -> r.startsWith("safe-mode file: "));
        onTheNode(debugCommand(runbook, "rm"));
        awaitMode(Mode.DRY_RUN, "released by removing the file");
    }

    @Test
    void theUninstallRemovesTheNodesDirectories() throws Exception {
        agent.close();
        agent = null;
        onTheNode(debugCommand(doc("upgrade.md"), "rm -rf"));
        try (var s = Files.walk(host)) {
            assertThat(s.filter(p -> p.getFileName().toString().equals("temper")).toList()).as("left on the node").isEmpty();
        }
    }

    /** The block of the runbook that calls the status API: every line of it, as written. */
    static String apiBlock(String runbook) {
        Matcher m = Pattern.compile("(?s)```sh\\n(AGENT=[^\\n]*\\n.*?csrf-token.*?)```").matcher(runbook);
        assertThat(m.find()).as("the runbook's status API commands").isTrue();
        return m.group(1);
    }

    @Test
    void theStatusApiCommandsEnterAndLeaveSafeMode() throws Exception {
        String runbook = doc("runbook.md");
        String block = apiBlock(runbook).replace("localhost:9740", "localhost:" + agent.apiPort());
        String on = bash(block, Map.of("TOKEN", TOKEN));
        assertThat(JSON.readTree(on).get("mode").asString()).as(on).isEqualTo("safe-mode");
        assertThat(agent.status().mode()).isEqualTo(Mode.SAFE_MODE);

        // "To release it, the same POST with -d '...'": the text names the body.
        Matcher release = Pattern.compile("the\\s+same\\s+`POST`\\s+with\\s+`-d\\s+'([^']+)'`").matcher(runbook);
        assertThat(release.find()).as("the runbook says how to release").isTrue();
        String off = bash(block.replaceFirst("-d '[^']+'", "-d '" + release.group(1) + "'"), Map.of("TOKEN", TOKEN));
        assertThat(JSON.readTree(off).get("mode").asString()).as(off).isEqualTo("dry-run");
        List<String> actions = new ArrayList<>();
        for (String line : Files.readAllLines(host.resolve("var/lib/temper/api/audit.jsonl"))) {
            actions.add(JSON.readTree(line).get("action").asString() + " " + JSON.readTree(line).get("outcome").asString());
        }
        assertThat(actions).containsExactly("safe-mode.on ok", "safe-mode.off ok");
    }
}
