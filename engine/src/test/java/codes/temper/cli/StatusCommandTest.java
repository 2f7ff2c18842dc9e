package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code temper status} against fabric8's mock API server in CRUD mode, reached through a
 * kubeconfig as a user's kubectl would: seven nodes in every state an agent writes, one with no
 * agent, and one whose annotation was forged with control characters.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class StatusCommandTest {
    static final String REV = "main@sha1:0123456789abcdef0123456789abcdef01234567";
    static final JsonMapper JSON = JsonMapper.builder().build();

    KubernetesClient client;

    @TempDir Path dir;
    Path kubeconfig;

    @BeforeEach
    void fleet() throws IOException {
        node("node-0", "gpu", Map.of("temper.codes/agent-status", "attached", "temper.codes/policy-revision", REV));
        node("node-1", "gpu", Map.of("temper.codes/agent-status", "safe-mode", "temper.codes/policy-revision", REV,
                "temper.codes/safe-mode-requested", "true"));
        node("node-2", "gpu", Map.of("temper.codes/agent-status", "excluded:strict-cpu-quota: cgroup cpu.max must be enforced on this node",
                "temper.codes/policy-revision", REV));
        node("node-3", "cpu", Map.of("temper.codes/agent-status", "degraded:no policy loaded yet"));
        node("node-4", "cpu", Map.of("temper.codes/agent-status", "safe-mode", "temper.codes/policy-revision", REV,
                "temper.codes/safe-mode-requested", "true", "temper.codes/safe-mode-requested-by", "controller/drain/all-cpu"));
        node("node-5", "cpu", Map.of());
        node("node-6", "edge", Map.of("temper.codes/agent-status", "attached\n\u001b[2Jnode-9  attached", "temper.codes/policy-revision", REV));
        kubeconfig = Kubeconfig.write(dir.resolve("kubeconfig"), client.getMasterUrl().toString());
    }

    void node(String name, String pool, Map<String, String> annotations) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).addToLabels("pool", pool)
                .addToAnnotations(annotations).endMetadata().build()).create();
    }

    CliRun status(String... extra) {
        List<String> args = new ArrayList<>(List.of("status", "--kubeconfig", kubeconfig.toString()));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    static Map<String, JsonNode> byName(JsonNode fleet) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (JsonNode n : fleet.get("nodes")) m.put(n.get("name").asString(), n);
        return m;
    }

    @Test
    void jsonListsEveryNodesStateFromItsAnnotations() {
        CliRun r = status("-o", "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode fleet = JSON.readTree(r.out());
        Map<String, JsonNode> n = byName(fleet);
        assertThat(n).containsOnlyKeys("node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "node-6");
        assertThat(n.keySet()).as("sorted by name").containsExactly("node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "node-6");

        assertThat(n.get("node-0").get("mode").asString()).isEqualTo("attached");
        assertThat(n.get("node-0").get("policyRevision").asString()).isEqualTo(REV);
        assertThat(n.get("node-0").get("safeModeRequested").isNull()).isTrue();

        assertThat(n.get("node-1").get("mode").asString()).isEqualTo("safe-mode");
        assertThat(n.get("node-1").get("safeModeRequested").asString()).isEqualTo("true");
        assertThat(n.get("node-1").get("safeModeRequestedBy").isNull()).as("an operator's kubectl annotate").isTrue();

        assertThat(n.get("node-2").get("mode").asString()).isEqualTo("excluded");
        assertThat(n.get("node-2").get("reason").asString()).isEqualTo("strict-cpu-quota: cgroup cpu.max must be enforced on this node");
        assertThat(n.get("node-2").get("agentStatus").asString()).startsWith("excluded:strict-cpu-quota");

        assertThat(n.get("node-3").get("mode").asString()).isEqualTo("degraded");
        assertThat(n.get("node-3").get("reason").asString()).isEqualTo("no policy loaded yet");
        assertThat(n.get("node-3").get("policyRevision").isNull()).isTrue();

        assertThat(n.get("node-4").get("safeModeRequestedBy").asString()).isEqualTo("controller/drain/all-cpu");

        assertThat(n.get("node-5").get("mode").asString()).as("no agent has reported").isEqualTo("unknown");
        assertThat(n.get("node-5").get("agentStatus").isNull()).isTrue();

        assertThat(n.get("node-6").get("mode").asString()).as("a value no agent writes").isEqualTo("unknown");
        assertThat(n.get("node-6").get("reason").asString()).isEqualTo("unrecognised agent-status");

        JsonNode summary = fleet.get("summary");
        assertThat(summary.get("attached").asInt()).isEqualTo(1);
        assertThat(summary.get("safe-mode").asInt()).isEqualTo(2);
        assertThat(summary.get("excluded").asInt()).isEqualTo(1);
        assertThat(summary.get("degraded").asInt()).isEqualTo(1);
        assertThat(summary.get("unknown").asInt()).isEqualTo(2);
    }

    @Test
    void aLabelSelectorFiltersOnTheServer() {
        CliRun gpu = status("-l", "pool=gpu", "-o", "json");
        assertThat(gpu.code()).as(gpu.err()).isZero();
        assertThat(byName(JSON.readTree(gpu.out()))).containsOnlyKeys("node-0", "node-1", "node-2");

        CliRun notGpu = status("--selector", "pool!=gpu", "-o", "json");
        assertThat(notGpu.code()).as(notGpu.err()).isZero();
        assertThat(byName(JSON.readTree(notGpu.out()))).containsOnlyKeys("node-3", "node-4", "node-5", "node-6");

        CliRun none = status("-l", "pool=tpu", "-o", "json");
        assertThat(none.code()).isZero();
        assertThat(JSON.readTree(none.out()).get("nodes").size()).isZero();
    }

    @Test
    void yamlCarriesTheSameTreeAsJson() {
        CliRun json = status("-o", "json"), yaml = status("-o", "yaml");
        assertThat(yaml.code()).as(yaml.err()).isZero();
        Object fromYaml = new Load(LoadSettings.builder().build()).loadFromString(yaml.out());
        JsonNode tree = JSON.valueToTree(fromYaml);
        assertThat(tree).isEqualTo(JSON.readTree(json.out()));
    }

    @Test
    void theTableHasAColumnPerFieldAndEscapesForgedAnnotations() {
        CliRun r = status();
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.getFirst()).matches("NODE\\s+MODE\\s+REVISION\\s+SAFE-MODE-REQUESTED\\s+REASON");
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("node-0\\s+attached\\s+\\Q" + REV + "\\E\\s+-\\s+-"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("node-1\\s+safe-mode\\s+\\Q" + REV + "\\E\\s+true\\s+-"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("node-4\\s+safe-mode\\s+.*true \\(controller\\)\\s+-"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("node-5\\s+unknown\\s+-\\s+-\\s+-"));
        assertThat(lines.getLast()).isEqualTo("7 node(s): 1 attached, 1 degraded, 1 excluded, 2 safe-mode, 2 unknown");
        // The forged status neither starts a line of its own nor reaches the terminal as an escape sequence.
        assertThat(lines.stream().filter(l -> l.startsWith("node-9"))).isEmpty();
        assertThat(r.out()).doesNotContain("\u001b");
        assertThat(lines).hasSize(9);
    }

    @Test
    void contextPicksTheClusterAndAnUnknownContextIsAnError() throws IOException {
        Map<String, String> servers = new LinkedHashMap<>();
        servers.put("elsewhere", "http://127.0.0.1:1");
        servers.put("mock", client.getMasterUrl().toString());
        Path two = Kubeconfig.write(dir.resolve("two-contexts"), servers, "elsewhere");

        CliRun r = CliRun.of("status", "--kubeconfig", two.toString(), "--context", "mock", "-o", "json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.out()).get("nodes").size()).isEqualTo(7);

        CliRun current = CliRun.of("status", "--kubeconfig", two.toString(), "--request-timeout", "2s");
        assertThat(current.code()).as("current-context points at a closed port").isEqualTo(1);
        assertThat(current.err()).startsWith("temper: ").doesNotContain("\tat ");

        CliRun unknown = CliRun.of("status", "--kubeconfig", two.toString(), "--context", "prod");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no context \"prod\"").contains("elsewhere, mock");
        assertThat(unknown.out()).isEmpty();
    }

    @Test
    void aMissingKubeconfigIsAnErrorNamingIt() {
        CliRun r = CliRun.of("status", "--kubeconfig", dir.resolve("nope").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot read kubeconfig").contains("nope");
    }

    @Test
    void outputMustBeAFormatTheCommandKnows() {
        CliRun r = status("-o", "xml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--output").contains("table, wide, name, json, yaml or jsonpath=TEMPLATE");
    }

    /** Issue 25, point 10: kubectl's -o name, -o wide, -o jsonpath= and --no-headers. */
    @Test
    void nameWideJsonpathAndNoHeadersAsKubectlHasThem() {
        CliRun name = status("-o", "name", "-l", "pool=gpu");
        assertThat(name.code()).as(name.err()).isZero();
        assertThat(name.out()).isEqualTo("node/node-0\nnode/node-1\nnode/node-2\n");

        CliRun wide = status("-o", "wide");
        List<String> lines = wide.out().lines().toList();
        assertThat(lines.getFirst()).contains("AGENT-STATUS").endsWith("REQUESTED-BY");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("node-4 ").endsWith("controller/drain/all-cpu"));

        CliRun bare = status("--no-headers");
        assertThat(bare.out().lines().toList()).hasSize(7).allSatisfy(l -> assertThat(l).startsWith("node-"));

        CliRun path = status("-o", "jsonpath={range .nodes[*]}{.name}={.mode}{\"\\n\"}{end}", "-l", "pool=cpu");
        assertThat(path.code()).as(path.err()).isZero();
        assertThat(path.out()).isEqualTo("node-3=degraded\nnode-4=safe-mode\nnode-5=unknown\n");
    }
}
