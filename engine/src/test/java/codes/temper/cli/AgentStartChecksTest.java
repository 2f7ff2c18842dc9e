package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 25, points 5 and 6: what the agent checks before it does anything, and where it keeps what
 * must outlive it.
 */
class AgentStartChecksTest {
    @TempDir
    Path dir;

    /**
     * Point 5: the API's safe-mode request and the audit trail are kept on the node unless told
     * otherwise; without a default they lived in memory only, while the README promised they
     * survive a restart. The help says where, and what lives there.
     */
    @Test
    void theCacheDirectoryHasTheChartsDefaultAndTheHelpSaysWhatItKeeps() {
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs("agent", "--policies", "p");
        Object cacheDir = parsed.subcommand().commandSpec().findOption("--cache-dir").getValue();
        assertThat(cacheDir).hasToString("/var/lib/temper");
        String help = CliRun.of("agent", "--help").out().replaceAll("\\s+", " ");
        assertThat(help).contains("--cache-dir=DIR").contains("default: /var/lib/temper")
                .contains("the safe-mode request made through the API and the audit trail, restored after a restart");
    }

    @Test
    void aCacheDirectoryThatCannotBeWrittenStopsTheAgentBeforeItStarts() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        Run r = agent("--cache-dir", file.resolve("sub").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("temper: --cache-dir " + file.resolve("sub") + ": cannot create it")
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("applied");
    }

    /**
     * Point 6: a token under 16 characters was refused only after the agent had applied the policy
     * and changed mode, as "temper: java.io.IOException: ...". It is checked first, and said plainly.
     */
    @Test
    void aShortApiTokenStopsTheAgentBeforeItAppliesAnything() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "# ops\nshort-token\n");
        Run r = agent("--cache-dir", dir.resolve("cache").toString(), "--api-tokens", tokens.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out().lines().filter(l -> l.startsWith("temper: "))).containsExactly(
                "temper: API token file " + tokens + ":2: a token must be at least 16 characters without spaces");
        assertThat(r.out()).doesNotContain("IOException").doesNotContain("applied").doesNotContain("mode ").doesNotContain("status API on");
    }

    record Run(int code, String out) {
    }

    Run agent(String... more) throws Exception {
        Path log = dir.resolve("agent.log");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("agent", "--policies", "../policies",
                "--pods-file", "../policies/examples/pods.yaml", "--node-file", "../policies/examples/node.yaml", "--port", "0",
                "--bind", "127.0.0.1", "--cgroup-root", dir.resolve("cgroup").toString(), "--driver", "dry-run"));
        args.addAll(java.util.List.of(more));
        Process p = TemperProcess.start(log, args.toArray(String[]::new));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the agent stopped by itself").isTrue();
        return new Run(p.exitValue(), Files.readString(log));
    }
}
