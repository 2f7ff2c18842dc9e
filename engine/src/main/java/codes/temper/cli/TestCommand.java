package codes.temper.cli;

import codes.temper.text.Printable;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.rules.Assignment;
import codes.temper.rules.Decision;
import codes.temper.rules.RuleEngine;
import codes.temper.yaml.InvalidInputException;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Run the policy tests in DIR/tests/*.yaml against the policy in DIR; exit 1 if any fails.")
final class TestCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Policy directory with a tests/ subdirectory.")
    Path dir;

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
                err.println(tests + ": no policy tests (*.yaml) found");
                return 1;
            }
            for (Path f : files) suites.addAll(PolicyTestSuite.parse(f.toString(), Files.readAllBytes(f)));
        } catch (InvalidInputException e) {
            return Problems.print(err, e);
        }
        int passed = 0, failed = 0;
        for (PolicyTestSuite suite : suites) {
            for (PolicyTestSuite.Case c : suite.cases()) {
                Decision d = RuleEngine.get().evaluate(policy, c.node(), c.pods());
                List<String> diff = diff(c.expect(), d);
                if (diff.isEmpty()) {
                    passed++;
                    out.println(Printable.escape("PASS " + suite.name() + ": " + c.name()));
                } else {
                    failed++;
                    out.println(Printable.escape("FAIL " + suite.name() + ": " + c.name() + "  (" + suite.file() + ":" + c.line() + ")"));
                    diff.forEach(line -> out.println("     " + Printable.escape(line)));
                }
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : 1;
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
        e.tiers().forEach((pod, tier) -> {
            Assignment a = byPod.get(pod);
            if (a == null) diff.add("pod " + pod + ": expected tier " + tier + ", got no assignment");
            else if (!a.tier().equals(tier)) {
                diff.add("pod " + pod + ": expected tier " + tier + ", got " + a.tier() + " (rule " + a.rule() + ": " + a.because() + ")");
            }
        });
        for (String pod : e.unassigned()) {
            Assignment a = byPod.get(pod);
            if (a != null) diff.add("pod " + pod + ": expected no assignment, got tier " + a.tier() + " (rule " + a.rule() + ")");
        }
        e.ceilings().forEach((tier, cpus) -> {
            Optional<Decision.TierOutcome> t = d.tiers().stream().filter(x -> x.name().equals(tier)).findFirst();
            if (t.isEmpty()) diff.add("ceiling " + tier + ": no such tier");
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
