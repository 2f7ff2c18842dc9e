package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import codes.temper.source.PolicySource;
import codes.temper.source.PolicySources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A policy directory's revision is its content's, however its path is written; stray files are noted, not fatal. */
class PolicyRootTest {
    static final Path NODE = Path.of("../policies/examples/node.yaml"), PODS = Path.of("../policies/examples/pods.yaml");

    /** The same directory written five ways (tests run in engine/). */
    static Stream<String> spellings() {
        return Stream.of("../policies", "./../policies", "../policies/", "../engine/../policies",
                Path.of("../policies").toAbsolutePath().normalize().toString());
    }

    static String planRevision(String policies) {
        CliRun r = CliRun.of("plan", "--policies", policies, "--pods", PODS.toString(), "--node", NODE.toString(), "--output", "json");
        assertThat(r.code()).as(r.err()).isZero();
        return JsonMapper.builder().build().readTree(r.out()).get("policyRevision").asString();
    }

    static String validateDigest(String policies) {
        CliRun r = CliRun.of("validate", policies);
        assertThat(r.code()).as(r.err()).isZero();
        Matcher m = Pattern.compile("sha256:([0-9a-f]{64})").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        return m.group(1);
    }

    @ParameterizedTest
    @MethodSource("spellings")
    void theRevisionDoesNotDependOnHowThePathIsWritten(String spelling) throws Exception {
        String revision = planRevision("../policies");
        assertThat(revision).matches("dir@sha256:[0-9a-f]{64}");

        assertThat(planRevision(spelling)).isEqualTo(revision);
        assertThat("dir@sha256:" + validateDigest(spelling)).isEqualTo(revision);
        // and the agent's source, which names the applied revision, agrees
        PolicySource source = PolicySources.open(spelling, new PolicySources.GitOptions(null, null, null, null, true),
                PolicySource.EvaluationCheck.NONE, Clock.systemUTC());
        assertThat(source.poll().revision()).isEqualTo(revision);
    }

    @Test
    void aKustomizationBesideThePoliciesIsSkippedWithANoteEverywhere(@TempDir Path dir) throws Exception {
        try (Stream<Path> s = Files.list(Path.of("../policies"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                configMapGenerator:
                - name: temper-policies
                  files: [tiers.yaml, nodes.yaml]
                """);
        String note = dir.resolve("kustomization.yaml") + ": skipped, not a Temper policy"
                + " (apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization)";

        CliRun validate = CliRun.of("validate", dir.toString());
        assertThat(validate.code()).as(validate.err()).isZero();
        assertThat(validate.out()).startsWith("ok: 2 file(s)").contains("note: " + note + "\n");

        CliRun table = CliRun.of("plan", "--policies", dir.toString(), "--pods", PODS.toString(), "--node", NODE.toString());
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).contains("  note: " + note + "\n");

        CliRun json = CliRun.of("plan", "--policies", dir.toString(), "--pods", PODS.toString(), "--node", NODE.toString(), "--output", "json");
        JsonNode plan = JsonMapper.builder().build().readTree(json.out());
        assertThat(plan.get("notes").valueStream().map(JsonNode::asString).toList()).isEqualTo(List.of(note));
        // the skipped file is not part of what applies, so the revision is the plain directory's
        assertThat(plan.get("policyRevision").asString()).isEqualTo(planRevision("../policies"));
    }

    @Test
    void aBrokenTemperFileBesideThePoliciesStillFailsWithFileLineAndField(@TempDir Path dir) throws Exception {
        Files.copy(Path.of("../policies/tiers.yaml"), dir.resolve("tiers.yaml"));
        Files.writeString(dir.resolve("nodes.yaml"), """
                apiVersion: temper.codes/v1
                kind: NodePolicy
                metadata: {name: default}
                spec:
                  exclusions:
                  - name: strict
                    nodeSelector: {matchLabels: {a: b}}
                    reasn: typo
                """);
        CliRun r = CliRun.of("validate", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(dir.resolve("nodes.yaml") + ":8:5: spec.exclusions[0].reasn");
    }
}
