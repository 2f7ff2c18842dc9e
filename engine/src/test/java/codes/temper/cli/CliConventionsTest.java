package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 25, point 10: the conventions of kubectl and flux, which operators type without thinking,
 * held over the live command tree like {@link CommandLineContractTest}: a usage error is one line
 * and a pointer to --help; no colour for a dumb terminal or NO_COLOR; completion offers what the
 * help says; -o wide|name|jsonpath= and --no-headers; one spelling of a directory's revision; a
 * plan table whose columns hold what their headers say.
 */
class CliConventionsTest {
    static final Path POLICIES = Path.of("../policies");
    static final String[] PLAN = {"plan", "--policies", "../policies", "--pods", "../policies/examples/pods.yaml",
            "--node", "../policies/examples/node.yaml"};
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    static Stream<List<String>> usageErrors() {
        return Stream.of(List.of("plan", "--bogus"), List.of("plan", "--policies", "p"), List.of("plan", "--policies", "p", "--node", "n", "-o", "xml"),
                List.of("status", "--request-timeout", "soon"), List.of("validate"), List.of("test", "a", "b"), List.of("agent", "--polices", "p"),
                List.of("controller", "--resync", "never"), List.of("bench", "--nope"), List.of("completion", "extra"), List.of("nonsense"));
    }

    /** kubectl: "error: unknown flag: --bogus" and "See 'kubectl get --help' for usage.", not the whole help. */
    @ParameterizedTest
    @MethodSource("usageErrors")
    void aUsageErrorIsOneLineAndWhereToLookNotTheWholeHelp(List<String> args) {
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).doesNotContain("Usage:").doesNotContain("Exit codes:");
        List<String> lines = r.err().lines().toList();
        assertThat(lines.size()).as(r.err()).isBetween(2, 3); // the error, maybe "Did you mean", the pointer
        assertThat(lines.getFirst()).startsWith("temper: ");
        String command = args.getFirst().equals("nonsense") ? "temper" : "temper " + args.getFirst();
        assertThat(lines.getLast()).isEqualTo("See '" + command + " --help' for usage.");
    }

    @Test
    void aMisspeltOptionStillGetsItsSuggestion() {
        CliRun r = CliRun.of("agent", "--polices", "p");
        assertThat(r.err()).contains("--policies");
    }

    /** The real command in a pseudo-terminal (util-linux's script), as a person runs it. */
    static String inTerminal(String term, String noColor, String... args) throws Exception {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        java.addAll(Arrays.asList(args));
        String line = String.join(" ", java.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        ProcessBuilder pb = new ProcessBuilder("script", "-qec", line, "/dev/null").redirectErrorStream(true);
        pb.environment().put("TERM", term);
        pb.environment().remove("NO_COLOR");
        if (noColor != null) pb.environment().put("NO_COLOR", noColor);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void colourOnlyWhereTheTerminalTakesIt() throws Exception {
        assertThat(inTerminal("xterm-256color", null, "plan", "--help")).as("a terminal that takes colour gets it").contains("\u001b[");
        assertThat(inTerminal("dumb", null, "plan", "--help")).as("TERM=dumb").contains("Usage: temper plan").doesNotContain("\u001b[");
        assertThat(inTerminal("xterm-256color", "1", "plan", "--help")).as("NO_COLOR=1").contains("Usage: temper plan").doesNotContain("\u001b[");
        assertThat(inTerminal("dumb", null, "plan", "--bogus")).as("an error too").contains("See 'temper plan --help'").doesNotContain("\u001b[");
    }

    static final Pattern CHOICES = Pattern.compile("[a-z][a-z0-9-]*(\\|[a-z][a-z0-9-]*)+");

    /** Completion offers exactly the values the help names (systemd|cgroupfs), as they are typed, and each is accepted. */
    @Test
    void completionOffersTheValuesAsTheHelpSpellsThem() throws Exception {
        List<String> checked = new ArrayList<>();
        for (CommandLine c : CommandLineContractTest.commands()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (o.completionCandidates() == null) continue;
                List<String> offered = new ArrayList<>();
                o.completionCandidates().forEach(offered::add);
                String name = c.getCommandSpec().qualifiedName() + " " + o.longestName();
                assertThat(offered).as(name + " offers lower case, as typed").allSatisfy(v -> assertThat(v).isEqualTo(v.toLowerCase()));
                if (CHOICES.matcher(o.paramLabel()).matches()) {
                    assertThat(offered).as(name + " offers what its label " + o.paramLabel() + " says")
                            .containsExactly(o.paramLabel().split("\\|"));
                }
                for (String v : offered) {
                    if (v.endsWith("=")) continue; // jsonpath=: a prefix, completed by the user
                    CliRun r = CliRun.of(c.getCommandSpec().qualifiedName().replaceFirst("^temper ?", "").isEmpty() ? new String[] {o.longestName() + "=" + v, "--help"}
                            : (c.getCommandSpec().qualifiedName().replaceFirst("^temper ", "") + " " + o.longestName() + "=" + v + " --help").split(" "));
                    assertThat(r.code()).as(name + "=" + v + ": " + r.err()).isZero();
                }
                checked.add(name);
            }
        }
        assertThat(checked).contains("temper plan --cgroup-driver", "temper agent --cgroup-driver", "temper agent --driver", "temper plan --output");
    }

    /** Issue 25, point 4: --cgroup-root had no help text. Every option says what it is. */
    @Test
    void everyOptionSaysWhatItIs() {
        List<String> silent = new ArrayList<>();
        for (CommandLine c : CommandLineContractTest.commands()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (o.description().length == 0 || String.join(" ", o.description()).isBlank()) {
                    silent.add(c.getCommandSpec().qualifiedName() + " " + o.longestName());
                }
            }
        }
        assertThat(silent).as("options without a description").isEmpty();
    }

    CliRun plan(String... more) {
        List<String> args = new ArrayList<>(List.of(PLAN));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void planTakesWideNameJsonpathAndNoHeaders() {
        JsonNode json = JSON.readTree(plan("-o", "json").out());
        int pods = json.get("assignments").size();

        CliRun name = plan("-o", "name");
        assertThat(name.code()).as(name.err()).isZero();
        assertThat(name.out().lines().toList()).hasSize(pods).contains("kube-system/kube-proxy-7xk2p")
                .allSatisfy(l -> assertThat(l).matches("[a-z0-9-]+/[a-z0-9.-]+"));

        CliRun path = plan("-o", "jsonpath={.policyRevision}");
        assertThat(path.code()).as(path.err()).isZero();
        assertThat(path.out()).isEqualTo(json.get("policyRevision").asString());
        CliRun range = plan("-o", "jsonpath={range .assignments[*]}{.namespace}/{.name}{\"\\t\"}{.tier}{\"\\n\"}{end}");
        assertThat(range.code()).as(range.err()).isZero();
        assertThat(range.out().lines().toList()).hasSize(pods).contains("kube-system/kube-proxy-7xk2p\tcritical");
        assertThat(plan("-o", "jsonpath={.tiers[*].name}").out()).isEqualTo("critical high normal low background");
        assertThat(plan("-o", "jsonpath={.tiers[?(@.name==\"background\")].ceiling.cpus}").out()).isEqualTo("1.9775");
        CliRun bad = plan("-o", "jsonpath={range .tiers[*]}{.name}");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("jsonpath").contains("range").contains("end");

        String table = plan().out(), wide = plan("-o", "wide").out(), bare = plan("--no-headers").out();
        assertThat(table).contains("POD ").contains("RULE");
        assertThat(wide).contains("POD ").contains("UID").contains("PRIORITY-CLASS").contains("BECAUSE");
        assertThat(wide.lines().filter(l -> l.startsWith("kube-system/kube-proxy-7xk2p ")).findFirst().orElseThrow())
                .contains(json.get("assignments").valueStream().filter(a -> a.get("name").asString().equals("kube-proxy-7xk2p"))
                        .findFirst().orElseThrow().get("uid").asString());
        assertThat(bare).doesNotContain("RANK").doesNotContain("POD ").doesNotContain("node node-a");
        assertThat(bare.lines().filter(l -> !l.isBlank()).count()).isEqualTo(json.get("tiers").size() + pods);
    }

    /** The table's ceiling column holds the ceiling; where it comes from is a column of its own, named so. */
    @Test
    void thePlanTablesCeilingColumnHoldsTheCeiling() {
        List<String> lines = plan().out().lines().toList();
        String header = lines.stream().filter(l -> l.startsWith("RANK")).findFirst().orElseThrow();
        List<String> columns = List.of(header.trim().split("\\s+"));
        assertThat(columns).contains("CEILING", "CEILING-FROM").doesNotContain("CPUS");
        String background = lines.stream().filter(l -> l.matches("\\d+\\s+background\\s.*")).findFirst().orElseThrow();
        List<String> cells = List.of(background.trim().split("\\s+"));
        assertThat(cells.get(columns.indexOf("CEILING"))).isEqualTo("1.978");
        assertThat(cells.get(columns.indexOf("CEILING-FROM"))).isEqualTo("policy");
    }

    /** validate, plan and the agent name a directory's revision the same way. */
    @Test
    void validateNamesTheRevisionAsPlanAndTheAgentDo() {
        String revision = JSON.readTree(plan("-o", "json").out()).get("policyRevision").asString();
        assertThat(revision).startsWith("dir@sha256:");
        CliRun table = CliRun.of("validate", POLICIES.toString());
        assertThat(table.out()).contains(revision);
        Matcher bare = Pattern.compile("(?<!dir@)sha256:").matcher(table.out());
        assertThat(bare.find()).as(table.out()).isFalse();
        assertThat(JSON.readTree(CliRun.of("validate", POLICIES.toString(), "-o", "json").out()).get("revision").asString()).isEqualTo(revision);
    }

    @Test
    void theTopLevelTreeIsTheOneTested() {
        assertThat(Main.commandLine(InputStream.nullInputStream()).getSubcommands()).containsKeys("plan", "status");
    }
}
