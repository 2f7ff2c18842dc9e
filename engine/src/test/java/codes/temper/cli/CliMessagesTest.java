package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 25, point 13: what the CLI says when an operator's input is wrong, said so they can act on it. */
class CliMessagesTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingDirectoryIsCalledMissingAndAFileIsCalledNotADirectory() throws Exception {
        CliRun missing = CliRun.of("validate", tmp.resolve("nonexistent").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains(tmp.resolve("nonexistent") + ":1:1: no such file or directory").doesNotContain("not a directory");

        Path file = Files.writeString(tmp.resolve("tiers.yaml"), "kind: TierPolicy\n");
        CliRun notDir = CliRun.of("validate", file.toString());
        assertThat(notDir.code()).isEqualTo(1);
        assertThat(notDir.err()).contains(file + ":1:1: not a directory (a policy directory holds the *.yaml files)");
    }

    @Test
    void problemsArePrintedInLineOrderWithinEachFile() throws Exception {
        // Problems found in a later pass over the file (the tiers' names, checked after every tier
        // was read) used to come after those of later lines.
        Path dir = Files.createDirectories(tmp.resolve("p"));
        Files.writeString(dir.resolve("tiers.yaml"), """
                apiVersion: temper.codes/v1
                kind: TierPolicy
                metadata: {name: t}
                spec:
                  tiers:
                  - {name: a, sliceMs: 0}
                  - {name: b, ceiling: {cpus: "150%"}}
                  defaultTier: nope
                  bogus: 1
                """);
        Files.writeString(dir.resolve("nodes.yaml"), """
                apiVersion: temper.codes/v1
                kind: NodePolicy
                metadata: {name: n}
                spec:
                  exclusions:
                  - {name: x, reason: "", nodeSelector: {}}
                """);
        CliRun r = CliRun.of("validate", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        List<String> lines = r.err().lines().filter(l -> l.startsWith(dir.toString())).toList();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(5);
        // Files in name order, then line, then column.
        List<String> sorted = lines.stream().sorted(java.util.Comparator.comparing((String l) -> l.split(":")[0])
                .thenComparingInt(l -> Integer.parseInt(l.split(":")[1])).thenComparingInt(l -> Integer.parseInt(l.split(":")[2]))).toList();
        assertThat(lines).as(r.err()).isEqualTo(sorted);
    }

    @Test
    void aPolicyTestExpectingATierThePolicyLacksSaysSoAndNamesTheTiers() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("p"));
        for (String f : List.of("tiers.yaml", "nodes.yaml")) Files.copy(Path.of("../policies").resolve(f), dir.resolve(f));
        Files.createDirectories(dir.resolve("tests"));
        Files.writeString(dir.resolve("tests/t.yaml"), """
                apiVersion: temper.codes/v1
                kind: PolicyTest
                metadata: {name: t}
                spec:
                  node: {name: node-a, kernelVersion: 6.12.57, allocatableCpu: "8"}
                  cases:
                  - name: batch work
                    pods:
                    - {name: job, priorityClassName: b, priority: -1000}
                    expect:
                      tiers: {default/job: bulk}
                      ceilings: {bulk: 2}
                """);
        CliRun r = CliRun.of("test", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("pod default/job: expected tier bulk, which the policy does not have "
                + "(its tiers: critical, high, normal, low, background); got background");
        assertThat(r.out()).contains("ceiling bulk: the policy has no tier bulk (its tiers: critical, high, normal, low, background)");
    }
}
