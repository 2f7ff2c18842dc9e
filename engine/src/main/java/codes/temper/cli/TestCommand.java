package codes.temper.cli;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.rules.Assignment;
import codes.temper.rules.Decision;
import codes.temper.rules.RuleEngine;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Run the policy tests in DIR/tests/*.yaml against the policy in DIR; exit 1 if any fails.")
final class TestCommand implements Callable<Integer> {

    /** {@code -o}: the formats of the other commands, and JUnit XML for CI systems. */
    enum Format { table, json, yaml, junit }

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Policy directory with a tests/ subdirectory.")
    Path dir;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = {"Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
                    "junit: JUnit XML on standard output (temper test -o junit DIR > report.xml)."})
    Format output;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        PolicySet policy;
        List<PolicyTestSuite> suites = new ArrayList<>();
        try {
            policy = new PolicyParser().parse(PolicyDirectory.read(dir));
            Path tests = dir.resolve("tests");
            List<Path> files;
            try (Stream<Path> s = Files.isDirectory(tests) ? Files.list(tests) : Stream.empty()) {
                files = s.filter(p -> PolicyDirectory.isYaml(p.getFileName().toString())).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new InvalidInputException(List.of(new Problem(tests.toString(), 1, 1, "", "no policy tests (*.yaml) found")));
            }
            for (Path f : files) suites.addAll(PolicyTestSuite.parse(f.toString(), Files.readAllBytes(f)));
        } catch (InvalidInputException e) {
            // The problems always go to stderr; a machine-readable report says why nothing ran as well.
            Problems.print(err, e);
            if (output != Format.table) print(out, TestReport.invalid(e.problems()));
            return 1;
        }
        List<TestReport.Suite> results = new ArrayList<>();
        for (PolicyTestSuite suite : suites) {
            List<TestReport.Case> cases = new ArrayList<>();
            for (PolicyTestSuite.Case c : suite.cases()) {
                long start = System.nanoTime();
                Decision d = RuleEngine.get().evaluate(policy, c.node(), c.pods());
                List<String> diff = diff(c.expect(), d);
                cases.add(new TestReport.Case(c.name(), c.line(), diff.isEmpty(), diff, (System.nanoTime() - start) / 1e9));
            }
            results.add(new TestReport.Suite(suite.name(), suite.file(), cases));
        }
        TestReport report = TestReport.of(results);
        print(out, report);
        return report.failed() == 0 ? 0 : 1;
    }

    private void print(PrintWriter out, TestReport report) {
        switch (output) {
            case table -> report.table(out);
            case json -> out.print(Rendering.machine(Rendering.Format.json, report));
            case yaml -> out.print(Rendering.machine(Rendering.Format.yaml, report));
            case junit -> out.print(report.junit());
        }
        out.flush();
    }

    static List<String> diff(PolicyTestSuite.Expect e, Decision d) {
        List<String> diff = new ArrayList<>();
        if (e.mode() != null && !e.mode().equals(d.mode().mode().wire())) {
            diff.add("mode: expected " + e.mode() + ", got " + d.mode().mode().wire() + " " + d.mode().reasons());
        }
        for (String part : e.reasonsContain()) {
            if (d.mode().reasons().stream().noneMatch(r -> r.contains(part))) {
                diff.add("reasons: expected one containing \"" + part + "\", got " + d.mode().reasons());
            }
        }
        Map<String, Assignment> byPod = d.assignments().stream().collect(Collectors.toMap(a -> a.pod().key(), a -> a));
        // A tier the policy does not have is most often a typo or a renamed tier: say so, and name the tiers.
        List<String> tiers = d.tiers().stream().map(Decision.TierOutcome::name).toList();
        String known = "(its tiers: " + String.join(", ", tiers) + ")";
        e.tiers().forEach((pod, tier) -> {
            Assignment a = byPod.get(pod);
            String expected = "pod " + pod + ": expected tier " + tier + (tiers.contains(tier) ? "" : ", which the policy does not have " + known);
            if (a == null) diff.add(expected + (tiers.contains(tier) ? ", got" : "; got") + " no assignment");
            else if (!a.tier().equals(tier)) {
                diff.add(expected + (tiers.contains(tier) ? ", got " : "; got ") + a.tier() + " (rule " + a.rule() + ": " + a.because() + ")");
            }
        });
        for (String pod : e.unassigned()) {
            Assignment a = byPod.get(pod);
            if (a != null) diff.add("pod " + pod + ": expected no assignment, got tier " + a.tier() + " (rule " + a.rule() + ")");
        }
        e.ceilings().forEach((tier, cpus) -> {
            Optional<Decision.TierOutcome> t = d.tiers().stream().filter(x -> x.name().equals(tier)).findFirst();
            if (t.isEmpty()) diff.add("ceiling " + tier + ": the policy has no tier " + tier + " " + known);
            else if (Math.abs(t.get().ceiling().cpus() - cpus) > 1e-6) {
                diff.add("ceiling " + tier + ": expected " + cpus + " CPUs, got " + t.get().ceiling().cpus() + " (" + t.get().ceiling().note() + ")");
            }
        });
        for (String part : e.warningsContain()) {
            if (d.warnings().stream().noneMatch(w -> w.contains(part))) {
                diff.add("warnings: expected one containing \"" + part + "\", got " + d.warnings());
            }
        }
        return diff;
    }
}
