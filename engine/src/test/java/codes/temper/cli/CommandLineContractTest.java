package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What holds for every command, checked over the live command tree so a command or option added
 * later is covered: exit codes in its help, durations in the forms operators write, the version.
 */
class CommandLineContractTest {

    static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(InputStream.nullInputStream()), all);
        return all;
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, into));
    }

    static Stream<String> commandNames() {
        return commands().stream().filter(c -> c.getParent() != null).map(CommandLine::getCommandName).filter(n -> !n.equals("help"));
    }

    @ParameterizedTest
    @MethodSource("commandNames")
    void everyCommandsHelpListsItsExitCodes(String command) {
        assertThat(ExitCodes.documented(command)).as("an entry for %s in ExitCodes", command).isTrue();
        CliRun r = CliRun.of(command, "--help");
        assertThat(r.code()).as(r.err()).isZero();
        String exitCodes = r.out().substring(r.out().indexOf("Exit codes:"));
        assertThat(exitCodes.lines().skip(1).map(String::strip).filter(l -> l.matches("\\d\\s+.*")).map(l -> l.substring(0, 1)))
                .as(r.out()).contains("0", "2");
        assertThat(exitCodes).contains("Usage error");
    }

    @Test
    void theTopLevelHelpListsExitCodesAndEveryCommand() {
        CliRun r = CliRun.of("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Exit codes:").contains("status").contains("completion");
    }

    /** Every Duration option goes through DurationConverter: "500ms" and "2s" work everywhere (issue 14). */
    @Test
    void everyDurationOptionTakesMillisecondsAndSeconds() throws Exception {
        List<String> checked = new ArrayList<>();
        for (CommandLine c : commands()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (o.type() != Duration.class) continue;
                String name = c.getCommandName() + " " + o.longestName();
                assertThat(o.converters()).as(name).hasSize(1);
                assertThat(o.converters()[0]).as(name).isInstanceOf(DurationConverter.class);
                assertThat(o.converters()[0].convert("500ms")).as(name).isEqualTo(Duration.ofMillis(500));
                assertThat(o.converters()[0].convert("2s")).as(name).isEqualTo(Duration.ofSeconds(2));
                if (o.defaultValue() != null) assertThat(o.converters()[0].convert(o.defaultValue())).as(name + " default").isNotNull();
                checked.add(name);
            }
        }
        assertThat(checked).contains("plan --git-timeout", "plan --request-timeout", "status --request-timeout", "agent --poll-interval",
                "agent --debounce", "controller --resync");
    }

    static Stream<List<String>> agentCommandLines() {
        return Stream.of(List.of("agent", "--help"), List.of("agent", "-h"), List.of("agent", "--version"), List.of("agent", "-V"),
                List.of("agent"), List.of("agent", "--bogus", "--policies", "p"), List.of("agent", "--policies"),
                List.of("agent", "--polices", "p"), List.of("agent", "--policies", "p", "--port", "nope"),
                List.of("agent", "--policies", "p", "stray"), List.of("agent", "--policies", "p", "--driver", "nope"),
                List.of("agent", "--policies", "p", "--debounce", "5 parsecs"), List.of("agent", "--help", "--bogus"),
                List.of("agent", "help"), List.of("agent", "plan", "--policies", "p"), List.of("agent", "--policies", "p", "-hV"));
    }

    /**
     * {@code temper agent} runs on a tree of the agent alone (Main.commandLine), which must answer
     * every command line exactly as the whole tree does: help, version, errors and exit codes.
     */
    @ParameterizedTest
    @MethodSource("agentCommandLines")
    void theAgentsOwnTreeAnswersAsTheWholeTreeDoes(List<String> args) {
        String[] a = args.toArray(String[]::new);
        CommandLine own = Main.commandLine(InputStream.nullInputStream(), a);
        assertThat(own.getSubcommands()).containsOnlyKeys("agent");
        CliRun viaOwn = run(own, a), viaWhole = run(Main.commandLine(InputStream.nullInputStream()), a);
        assertThat(viaOwn).isEqualTo(viaWhole);
        assertThat(viaOwn.code()).isIn(0, 2);
        assertThat(CliRun.of(a)).isEqualTo(viaOwn);
    }

    private static CliRun run(CommandLine cli, String... args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        var utf8 = java.nio.charset.StandardCharsets.UTF_8;
        int code = Main.run(cli, new java.io.PrintStream(out, true, utf8), new java.io.PrintStream(err, true, utf8), args);
        return new CliRun(code, out.toString(utf8), err.toString(utf8));
    }

    @Test
    void anyOtherCommandLineRunsOnTheWholeTree() {
        for (String[] a : List.of(new String[0], new String[] {"plan"}, new String[] {"--help"}, new String[] {"help", "agent"},
                new String[] {"@agent"}, new String[] {"Agent"})) {
            assertThat(Main.commandLine(InputStream.nullInputStream(), a).getSubcommands().keySet()).as(String.join(" ", a))
                    .containsExactly("plan", "validate", "test", "status", "bench", "agent", "controller", "completion", "help");
        }
    }

    /** The version Maven built (surefire passes ${project.version}); never "dev" from a Maven build. */
    @Test
    void versionIsTheBuildsVersion() {
        String expected = System.getProperty("temper.project.version");
        assertThat(expected).as("set by engine/pom.xml for the tests").isNotBlank();
        CliRun r = CliRun.of("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("temper " + expected + "\n");
        assertThat(CliRun.of("status", "--version").out()).isEqualTo(r.out());
    }
}
