package codes.temper.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import codes.temper.cli.CliRun;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Realistic broken policies (src/test/resources/broken-policies), each refused with a located,
 * readable problem, by the parser and by {@code temper validate}. The expected location, message
 * fragment and problem count of every case are written by hand in EXPECTED.tsv.
 */
class BrokenPolicyCorpusTest {
    static final Path CORPUS = Path.of("src/test/resources/broken-policies");
    static final Path DEFAULT_POLICIES = Path.of("../policies");

    /** One row of EXPECTED.tsv. */
    record Expected(String caseName, String file, int line, int column, String fragment, int problems) {
        boolean isDirectory() {
            return Files.isDirectory(CORPUS.resolve(caseName));
        }

        boolean matches(Problem p, String fileName) {
            return p.file().equals(fileName) && p.line() == line && p.column() == column && p.toString().contains(fragment);
        }

        @Override
        public String toString() {
            return file + ":" + line + ":" + column + " containing \"" + fragment + "\" (" + problems + " problem(s) in all)";
        }
    }

    static List<Expected> expected() throws IOException {
        List<Expected> rows = new ArrayList<>();
        boolean header = true;
        for (String line : Files.readAllLines(CORPUS.resolve("EXPECTED.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (header) {
                assertThat(line).isEqualTo("case\tlocation\tmessage\tproblems");
                header = false;
                continue;
            }
            String[] f = line.split("\t", -1);
            assertThat(f).as("columns of: %s", line).hasSize(4);
            String loc = f[1];
            int c2 = loc.lastIndexOf(':'), c1 = loc.lastIndexOf(':', c2 - 1);
            rows.add(new Expected(f[0], loc.substring(0, c1), Integer.parseInt(loc.substring(c1 + 1, c2)),
                    Integer.parseInt(loc.substring(c2 + 1)), f[2], Integer.parseInt(f[3])));
        }
        return rows;
    }

    static Stream<Named<Expected>> cases() throws IOException {
        return expected().stream().map(e -> Named.of(e.caseName(), e));
    }

    /** The case's files, named relative to the case (a single-file case is a revision of that one file). */
    static List<PolicyFile> files(Expected e) throws IOException {
        Path c = CORPUS.resolve(e.caseName());
        if (!e.isDirectory()) return List.of(new PolicyFile(e.caseName(), Files.readAllBytes(c)));
        try (Stream<Path> s = Files.list(c)) {
            List<PolicyFile> out = new ArrayList<>();
            for (Path p : s.sorted().toList()) out.add(new PolicyFile(p.getFileName().toString(), Files.readAllBytes(p)));
            return out;
        }
    }

    /** A directory holding only the case's files, as {@code temper validate} would be pointed at. */
    static Path revisionDir(Expected e, Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("rev-" + e.caseName().replace(".yaml", "")));
        Path c = CORPUS.resolve(e.caseName());
        if (!e.isDirectory()) {
            Files.copy(c, dir.resolve(e.caseName()));
        } else {
            try (Stream<Path> s = Files.list(c)) {
                for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        return dir;
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static void assertNoStackTrace(String text) {
        assertThat(text).doesNotContain("Exception").doesNotContain("\tat ").doesNotContainPattern("[A-Za-z]Error\\b");
    }

    @Test
    void corpusHasAtLeastFortyCasesAndEveryCaseHasAnExpectation() throws IOException {
        Set<String> onDisk;
        try (Stream<Path> s = Files.list(CORPUS)) {
            onDisk = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("EXPECTED.tsv")).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> listed = expected().stream().map(Expected::caseName).collect(Collectors.toCollection(TreeSet::new));
        assertThat(onDisk).hasSizeGreaterThanOrEqualTo(40);
        assertThat(listed).isEqualTo(onDisk);
        assertThat(expected()).hasSize(listed.size()); // one row per case
        for (String name : onDisk) {
            assertThat(name).matches("\\d\\d-[a-z0-9-]+(\\.yaml)?");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parserRefusesWithTheExpectedLocatedProblem(Expected e) throws IOException {
        List<PolicyFile> files = files(e);
        InvalidInputException ex = assertThrows(InvalidInputException.class, () -> new PolicyParser().parse(files));
        List<Problem> problems = ex.problems();
        String all = problems.stream().map(Problem::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
        assertTrue(problems.stream().anyMatch(p -> e.matches(p, e.file())), () -> "expected " + e + "; got:" + all);
        assertThat(problems).as("all problems:%s", all).hasSize(e.problems());
        for (Problem p : problems) {
            assertThat(p.line()).isPositive();
            assertThat(p.column()).isPositive();
            assertThat(p.message()).isNotBlank();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validateExitsOneAndPrintsEveryProblemLocated(Expected e, @TempDir Path tmp) throws IOException {
        Path dir = revisionDir(e, tmp);
        CliRun r = run("validate", dir.toString());

        assertThat(r.code()).as("exit code; stderr:\n%s", r.err()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertNoStackTrace(r.err());
        List<String> lines = r.err().lines().toList();
        assertThat(lines).last().isEqualTo(e.problems() + " problem(s) found");
        List<String> problemLines = lines.subList(0, lines.size() - 1);
        assertThat(problemLines).hasSize(e.problems());
        String prefix = dir.toString() + "/";
        for (String l : problemLines) {
            assertThat(l).startsWith(prefix);
            assertThat(l.substring(prefix.length())).matches("[^/:]+\\.ya?ml:\\d+:\\d+: .+");
        }
        String at = dir.resolve(e.file()) + ":" + e.line() + ":" + e.column() + ": ";
        assertThat(problemLines).anySatisfy(l -> assertThat(l).startsWith(at).contains(e.fragment()));
    }

    @Test
    void validateReportsTheProblemsOfEveryBrokenFileNotOnlyTheFirst(@TempDir Path tmp) throws IOException {
        // A syntax error, an encoding error, two field errors and a file with two problems, in one revision.
        List<String> names = List.of("01-unclosed-flow-mapping.yaml", "04-duplicate-key-in-tier.yaml",
                "17-matchlabels-unquoted-true.yaml", "21-missing-spec.yaml", "53-latin1-reason.yaml");
        Path dir = Files.createDirectories(tmp.resolve("policies"));
        for (String n : names) Files.copy(CORPUS.resolve(n), dir.resolve(n));

        CliRun r = run("validate", dir.toString());

        assertThat(r.code()).isEqualTo(1);
        assertNoStackTrace(r.err());
        assertThat(r.err()).contains(
                dir.resolve("01-unclosed-flow-mapping.yaml") + ":5:5: YAML syntax",
                dir.resolve("04-duplicate-key-in-tier.yaml") + ":14:5: spec.tiers[0].sliceMs: duplicate key",
                dir.resolve("17-matchlabels-unquoted-true.yaml") + ":11:33: spec.exclusions[0].nodeSelector.matchLabels",
                dir.resolve("21-missing-spec.yaml") + ":6:1: tiers: unknown field",
                dir.resolve("21-missing-spec.yaml") + ":2:1: spec: required field is missing",
                dir.resolve("53-latin1-reason.yaml") + ":12:14: not valid UTF-8");
        assertThat(r.err().lines().toList()).hasSize(7).last().isEqualTo("6 problem(s) found");
    }

    @Test
    void aFileLargerThanOneMebibyteIsRefusedBeforeItIsRead(@TempDir Path tmp) throws IOException {
        // A valid policy padded with comments to 1 MiB + 1 byte: generated here, not committed.
        byte[] policy = Files.readAllBytes(DEFAULT_POLICIES.resolve("tiers.yaml"));
        byte[] big = new byte[(1 << 20) + 1];
        java.util.Arrays.fill(big, (byte) '#');
        System.arraycopy(policy, 0, big, 0, policy.length);
        for (int i = policy.length + 80; i < big.length; i += 81) big[i] = '\n';
        Path dir = Files.createDirectories(tmp.resolve("big"));
        Files.write(dir.resolve("tiers.yaml"), big);

        CliRun r = run("validate", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertNoStackTrace(r.err());
        assertThat(r.err()).isEqualTo(dir.resolve("tiers.yaml") + ":1:1: file is 1048577 bytes; the limit is 1048576\n1 problem(s) found\n");

        // The parser refuses it too when handed the bytes directly (a Git revision, not a directory).
        InvalidInputException ex = assertThrows(InvalidInputException.class,
                () -> new PolicyParser().parse(List.of(new PolicyFile("tiers.yaml", big))));
        assertThat(ex.problems()).singleElement().hasToString("tiers.yaml:1:1: file is 1048577 bytes; the limit is 1048576");
    }

    @Test
    void theDefaultPoliciesValidate() {
        CliRun r = run("validate", DEFAULT_POLICIES.toString());
        assertThat(r.code()).as("stderr: %s", r.err()).isEqualTo(0);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("ok: 2 file(s); TierPolicy default with tiers [critical, high, normal, low, background]; 1 exclusion(s); revision dir@sha256:");
    }
}
