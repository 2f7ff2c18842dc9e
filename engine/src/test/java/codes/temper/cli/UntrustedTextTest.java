package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy values reach the terminal escaped (issue 13, item 8): a value carrying a newline and an
 * ANSI escape cannot forge a "file:line:column" line of {@code validate} or recolour the screen.
 */
class UntrustedTextTest {
    static final Path POLICIES = Path.of("../policies");
    static final String FORGERY = "x\\n/etc/temper/ok.yaml:1:1: all good\\e[31m\\e[2J\\u202e";

    @TempDir
    Path dir;

    /** Only printable text and the line ends the command wrote itself. */
    static void assertPlain(CliRun r) {
        String all = r.out() + r.err();
        assertThat(all.chars().filter(c -> (c < 0x20 && c != '\n') || c == 0x7f || c == 0x202e).count())
                .as("control characters in:\n" + all).isZero();
        assertThat(all.lines()).noneMatch(l -> l.startsWith("/etc/temper/ok.yaml"));
    }

    @Test
    void validateEscapesAValueQuotedInAProblem() throws Exception {
        Path p = Files.createDirectories(dir.resolve("p"));
        Files.copy(POLICIES.resolve("nodes.yaml"), p.resolve("nodes.yaml"));
        Files.writeString(p.resolve("tiers.yaml"), Files.readString(POLICIES.resolve("tiers.yaml"))
                .replace("cpus: \"25%\"", "cpus: \"" + FORGERY + "\""));
        CliRun r = CliRun.of("validate", p.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("\\n/etc/temper/ok.yaml:1:1: all good\\u001b[31m");
        assertThat(r.err().lines()).hasSize(2);
        assertPlain(r);
    }

    @Test
    void planEscapesAnExclusionReasonAndANoteFromTheFiles() throws Exception {
        Path p = Files.createDirectories(dir.resolve("p"));
        Files.copy(POLICIES.resolve("tiers.yaml"), p.resolve("tiers.yaml"));
        Files.writeString(p.resolve("nodes.yaml"), Files.readString(POLICIES.resolve("nodes.yaml"))
                .replace("temper.codes/cpu-quota: strict", "kubernetes.io/os: linux")
                .replaceFirst("requires: cpuMaxEnforcement\n", "")
                .replace("reason: cgroup cpu.max must be enforced on this node", "reason: \"" + FORGERY + "\""));
        CliRun v = CliRun.of("validate", p.toString());
        assertThat(v.code()).as(v.err()).isZero();
        CliRun r = CliRun.of("plan", "--policies", p.toString(), "--pods", POLICIES.resolve("examples/pods.yaml").toString(),
                "--node", POLICIES.resolve("examples/node.yaml").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("reason: ").contains("all good\\u001b[31m");
        assertPlain(r);
    }
}
