package codes.temper.cli;

import codes.temper.text.Printable;

import codes.temper.policy.Exclusion;
import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.policy.Tier;
import codes.temper.source.DirectoryPolicySource;
import codes.temper.yaml.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a policy directory; print every problem as file:line:column and exit 1 if there is one.")
final class ValidateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Policy directory.")
    Path dir;

    @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
            description = {Rendering.FORMAT_DESCRIPTION, "json and yaml print the problems too, on standard output."})
    Rendering.Format output;

    /**
     * The result as data: {@code valid} and either what the revision holds or its problems.
     *
     * @param revision the directory's revision as plan and the agent name it, {@code dir@sha256:<digest>}
     * @param digest   {@code sha256:<digest>}, kept for scripts written before {@code revision}
     */
    record ValidateView(boolean valid, List<String> files, String tierPolicy, List<String> tiers, List<String> exclusions,
                        String revision, String digest, List<String> notes, List<Rendering.ProblemView> problems) {}

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        PolicySet p;
        try {
            p = new PolicyParser().parse(PolicyDirectory.read(dir));
        } catch (InvalidInputException e) {
            if (output == Rendering.Format.table) return Problems.print(spec.commandLine().getErr(), e);
            out.print(Rendering.machine(output, new ValidateView(false, List.of(), null, List.of(), List.of(), null, null, List.of(),
                    Rendering.ProblemView.of(e.problems()))));
            out.flush();
            return 1;
        }
        List<String> tiers = p.tierPolicy().tiers().stream().map(Tier::name).toList();
        if (output != Rendering.Format.table) {
            out.print(Rendering.machine(output, new ValidateView(true, p.files(), p.tierPolicy().name(), tiers,
                    p.exclusions().stream().map(Exclusion::name).toList(), DirectoryPolicySource.revision(p), "sha256:" + p.digest(),
                    p.notes(), List.of())));
            out.flush();
            return 0;
        }
        out.println(Printable.escape(String.format("ok: %d file(s); TierPolicy %s with tiers %s; %d exclusion(s); revision %s", p.files().size(),
                p.tierPolicy().name(), tiers, p.exclusions().size(), DirectoryPolicySource.revision(p))));
        p.notes().forEach(n -> out.println(Printable.escape("note: " + n)));
        out.flush();
        return 0;
    }
}
