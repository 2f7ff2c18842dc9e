package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 25, points 4 and 9: the README as a new user meets it. It starts with its two commands; the
 * first runs as written, from the repository's root, on the embedded default policy; the
 * file-mode agent runs as written and answers what the README says it answers on this machine
 * (its kernel and cgroups, not the snapshot's); the long table of test timings comes after "What
 * Temper is"; the README describes the agent as the manifests run it; and it points to the
 * design in the repository (docs/design.md), not to a file outside it.
 *
 * <p>Commands run through the real CLI in a JVM of its own, in the repository's root, with the
 * words after {@code ./temper} (the launcher only builds the jar first). For the agent, the port
 * (9740: tests share the machine) and {@code /tmp/...} paths are the test's own.
 */
class ReadmeCommandsTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;
    Process agent;

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.destroy();
            agent.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static String readme() throws Exception {
        return Files.readString(REPO.resolve("README.md"));
    }

    /** The shell lines of the first ```sh block after {@code from}, continuation lines joined. */
    static List<String> block(String text, int from) {
        Matcher m = Pattern.compile("(?s)```sh\\n(.*?)```").matcher(text);
        assertThat(m.find(from)).isTrue();
        List<String> out = new ArrayList<>();
        for (String l : m.group(1).replace("\\\n", " ").split("\n")) {
            String line = l.replaceAll("\\s+#.*$", "").strip();
            if (!line.isEmpty() && !line.startsWith("#")) out.add(line.replaceAll("\\s+", " "));
        }
        return out;
    }

    static Process temper(Path log, List<String> words) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(words);
        return new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void theReadmeStartsWithItsTwoCommandsAndTheFirstRunsAsWritten() throws Exception {
        String readme = readme();
        assertThat(readme).startsWith("# Temper\n\n```sh\n");
        List<String> first = block(readme, 0);
        assertThat(first).hasSize(2);
        assertThat(first.get(1)).isEqualTo("./run-tests");
        assertThat(first.get(0)).startsWith("./temper plan --policies policies ");

        Path log = tmp.resolve("plan.out");
        Process p = temper(log, List.of(first.get(0).substring("./temper ".length()).split(" ")));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).startsWith("node node-a   mode attach   policy dir@sha256:").contains("background");
    }

    @Test
    void theTestTimingsComeAfterWhatTemperIsAndTheDesignIsInTheRepository() throws Exception {
        String readme = readme();
        int what = readme.indexOf("\n## What Temper is\n"), tests = readme.indexOf("\n## The tests\n");
        assertThat(what).isPositive();
        assertThat(tests).as("the tests section is kept").isPositive().isGreaterThan(what);
        assertThat(readme.substring(tests)).contains("| part | what it does | time |");
        int firstHeading = readme.indexOf("\n## ");
        assertThat(firstHeading).as("What Temper is, first after the commands").isEqualTo(what);
        assertThat(readme).doesNotContain("../shared").contains("[docs/design.md](docs/design.md)");
        assertThat(Files.readString(REPO.resolve("docs/design.md"))).contains("## What it promises");
    }

    /** The agent's manifests run it unprivileged (DeployManifestsTest holds them to that): the README says so. */
    @Test
    void theReadmeDescribesTheAgentAsTheManifestsRunIt() throws Exception {
        @SuppressWarnings("unchecked")
        var ds = (java.util.Map<String, Object>) new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                .loadFromString(Files.readString(REPO.resolve("deploy/agent/daemonset.yaml")));
        assertThat(JSON.valueToTree(ds).at("/spec/template/spec/containers/0/securityContext/privileged").asBoolean(true))
                .as("the base DaemonSet's agent").isFalse();
        Matcher m = Pattern.compile("(?i)\\bprivileged (DaemonSet|pod|container|agent)").matcher(readme());
        assertThat(m.find()).as("the README calls the agent privileged").isFalse();
    }

    @Test
    void theFileModeAgentRunsAsWrittenAndSaysWhatThisMachineAllows() throws Exception {
        String readme = readme();
        List<String> lines = block(readme, readme.indexOf("\n## The agent\n"));
        String start = lines.stream().filter(l -> l.startsWith("./temper agent ") && l.contains("--pods-file")).findFirst().orElseThrow();
        String probe = lines.stream().filter(l -> l.startsWith("curl -s localhost:9740/status")).findFirst().orElseThrow();
        assertThat(probe).contains("touch /tmp/temper-safe-mode");
        List<String> words = new ArrayList<>();
        for (String w : start.substring("./temper ".length()).split(" ")) {
            words.add(w.equals("9740") ? "0" : w.startsWith("/tmp/") ? tmp.resolve(w.substring(5)).toString() : w);
        }
        assertThat(words).as("a workstation run keeps its state out of the node's /var/lib/temper").contains("--cache-dir");
        words.addAll(List.of("--bind", "127.0.0.1"));
        Path log = tmp.resolve("agent.log");
        agent = temper(log, words);
        int port = TemperProcess.statusPort(agent, log);

        JsonNode status = awaitStatus(port, s -> !s.get("mode").asString().equals("pending"), log);
        // What this machine allows, as the README says it.
        boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        if (!v2) {
            assertThat(status.get("mode").asString()).isEqualTo("unsupported");
            assertThat(status.get("reasons").toString()).contains("cgroup v1");
            assertThat(readme).contains("cgroup v1 hierarchy\nthat is `\"mode\":\"unsupported\"` with the reason `cgroup v1`");
        } else if (!Files.exists(Path.of("/sys/kernel/sched_ext"))) {
            assertThat(status.get("mode").asString()).isEqualTo("dry-run");
            assertThat(readme).contains("`\"mode\":\"dry-run\"` saying why");
        }
        // The same decision plan makes for the snapshot, as the README says.
        assertThat(readme).contains("where\n`plan` says `attach` for the sample node, the agent's first `/status` says what this machine\nallows");

        Files.createFile(tmp.resolve("temper-safe-mode"));
        assertThat(awaitStatus(port, s -> s.get("mode").asString().equals("safe-mode"), log).get("mode").asString()).isEqualTo("safe-mode");
    }

    JsonNode awaitStatus(int port, java.util.function.Predicate<JsonNode> p, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() == 200) {
                last = JSON.readTree(r.body());
                if (p.test(last)) return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("status never matched; last " + last + "\nlog:\n" + Files.readString(log));
    }
}
