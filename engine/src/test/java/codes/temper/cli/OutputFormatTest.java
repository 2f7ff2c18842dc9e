package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code -o json|yaml|table} on every command that prints data, and {@code -} for standard input. */
class OutputFormatTest {
    static final Path POLICIES = Path.of("../policies");
    static final Path PODS = POLICIES.resolve("examples/pods.yaml");
    static final Path NODE = POLICIES.resolve("examples/node.yaml");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir Path tmp;

    static JsonNode yamlTree(String yaml) {
        return JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(yaml));
    }

    static CliRun withStdin(byte[] in, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int code = Main.run(new ByteArrayInputStream(in), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    CliRun plan(String... format) {
        String[] base = {"plan", "--policies", POLICIES.toString(), "--pods", PODS.toString(), "--node", NODE.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + format.length);
        System.arraycopy(format, 0, args, base.length, format.length);
        return CliRun.of(args);
    }

    @Test
    void planYamlIsTheJsonTreeAndDashOIsOutput() {
        CliRun json = plan("--output", "json"), shortJson = plan("-o", "json"), yaml = plan("-o", "yaml");
        assertThat(yaml.code()).as(yaml.err()).isZero();
        assertThat(shortJson.out()).isEqualTo(json.out());
        assertThat(yamlTree(yaml.out())).isEqualTo(JSON.readTree(json.out()));
        assertThat(yaml.out()).startsWith("node: ").contains("\npolicyRevision: dir@sha256:").contains("\nassignments:\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"JSON", "Yaml", "TABLE"})
    void formatsAreCaseInsensitive(String format) {
        assertThat(plan("-o", format).code()).isZero();
    }

    @Test
    void anUnknownFormatIsAUsageErrorListingTheFormats() {
        CliRun r = plan("-o", "xml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--output").contains("table, wide, name, json, yaml or jsonpath=TEMPLATE");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void podsFromStandardInputAsKubectlPipesThem() throws IOException {
        CliRun fromFile = plan("-o", "json");
        CliRun piped = withStdin(Files.readAllBytes(PODS), "plan", "--policies", POLICIES.toString(), "--pods", "-", "--node",
                NODE.toString(), "-o", "json");
        assertThat(piped.code()).as(piped.err()).isZero();
        assertThat(JSON.readTree(piped.out())).isEqualTo(JSON.readTree(fromFile.out()));

        CliRun node = withStdin(Files.readAllBytes(NODE), "plan", "--policies", POLICIES.toString(), "--pods", PODS.toString(),
                "--node", "-", "-o", "json");
        assertThat(node.code()).as(node.err()).isZero();
        assertThat(JSON.readTree(node.out())).isEqualTo(JSON.readTree(fromFile.out()));
    }

    @Test
    void badStandardInputIsReportedAsStdin() {
        CliRun empty = withStdin(new byte[0], "plan", "--policies", POLICIES.toString(), "--pods", "-", "--node", NODE.toString());
        assertThat(empty.code()).isEqualTo(1);
        assertThat(empty.err()).startsWith("STDIN:1:1: the file is empty (0 bytes)");

        CliRun wrong = withStdin("apiVersion: v1\nkind: Node\nmetadata: {name: x}\n".getBytes(StandardCharsets.UTF_8),
                "plan", "--policies", POLICIES.toString(), "--pods", "-", "--node", NODE.toString());
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("STDIN:2:7: kind: expected List, PodList or Pod, got \"Node\"");
    }

    @Test
    void bothFromStandardInputIsAUsageError() {
        CliRun r = withStdin(new byte[0], "plan", "--policies", POLICIES.toString(), "--pods", "-", "--node", "-");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("cannot both read standard input");
    }

    @Test
    void aNodeFileWithoutPodsIsAUsageErrorSayingWhatToAdd() {
        CliRun r = CliRun.of("plan", "--policies", POLICIES.toString(), "--node", NODE.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is a file: give --pods FILE");
    }

    @Test
    void snapshotsAndAClusterDoNotMix() {
        CliRun r = plan("--context", "prod");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("drop --pods");
    }

    @Test
    void validateAsDataWhenValidAndWhenNot() throws IOException {
        CliRun ok = CliRun.of("validate", POLICIES.toString(), "-o", "json");
        assertThat(ok.code()).as(ok.err()).isZero();
        JsonNode v = JSON.readTree(ok.out());
        assertThat(v.get("valid").asBoolean()).isTrue();
        assertThat(v.get("tierPolicy").asString()).isEqualTo("default");
        assertThat(v.get("tiers").toString()).isEqualTo("[\"critical\",\"high\",\"normal\",\"low\",\"background\"]");
        assertThat(v.get("exclusions").toString()).isEqualTo("[\"strict-cpu-quota\"]");
        assertThat(v.get("digest").asString()).matches("sha256:[0-9a-f]{64}");
        assertThat(v.get("problems").size()).isZero();
        assertThat(yamlTree(CliRun.of("validate", POLICIES.toString(), "-o", "yaml").out())).isEqualTo(v);

        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.copy(CliTest.CORPUS.resolve("27-duplicate-tier-names.yaml"), broken.resolve("tiers.yaml"));
        CliRun bad = CliRun.of("validate", broken.toString(), "-o", "yaml");
        assertThat(bad.code()).isEqualTo(1);
        JsonNode b = yamlTree(bad.out());
        assertThat(b.get("valid").asBoolean()).isFalse();
        JsonNode p = b.get("problems").get(0);
        assertThat(p.get("file").asString()).isEqualTo(broken.resolve("tiers.yaml").toString());
        assertThat(p.get("line").asInt()).isEqualTo(23);
        assertThat(p.get("column").asInt()).isEqualTo(11);
        assertThat(p.get("field").asString()).isEqualTo("spec.tiers[3].name");
        assertThat(p.get("message").asString()).isEqualTo("duplicate tier \"normal\" (first at line 19)");
    }

    @Test
    void testResultsAsData() throws IOException {
        CliRun r = CliRun.of("test", POLICIES.toString(), "-o", "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode t = JSON.readTree(r.out());
        assertThat(t.get("failed").asInt()).isZero();
        assertThat(t.get("passed").asInt()).isPositive().isEqualTo(t.get("suites").get(0).get("cases").size());
        JsonNode first = t.get("suites").get(0).get("cases").get(0);
        assertThat(first.get("passed").asBoolean()).isTrue();
        assertThat(first.get("line").asInt()).isPositive();
        assertThat(first.get("failures").size()).isZero();
        assertThat(yamlTree(CliRun.of("test", POLICIES.toString(), "-o", "yaml").out()).get("passed")).isEqualTo(t.get("passed"));
    }

    /** Values from files anyone may write reach YAML escaped, like the table: no raw control character. */
    @Test
    void yamlEscapesControlCharacters() throws IOException {
        Path p = Files.createDirectories(tmp.resolve("p"));
        Files.copy(POLICIES.resolve("tiers.yaml"), p.resolve("tiers.yaml"));
        Files.writeString(p.resolve("nodes.yaml"), Files.readString(POLICIES.resolve("nodes.yaml"))
                .replace("temper.codes/cpu-quota: strict", "kubernetes.io/os: linux").replaceFirst("requires: cpuMaxEnforcement\n", "")
                .replace("reason: cgroup cpu.max must be enforced on this node", "reason: \"x\\n\\e[31mforged\""));
        CliRun r = CliRun.of("plan", "--policies", p.toString(), "--pods", PODS.toString(), "--node", NODE.toString(), "-o", "yaml");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("\u001b");
        assertThat(yamlTree(r.out()).get("decision").get("reasons").get(0).asString()).contains("x\n\u001b[31mforged");
    }
}
