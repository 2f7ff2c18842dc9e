package codes.temper.cli;

import codes.temper.text.Printable;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.policy.Tier;
import codes.temper.yaml.InvalidInputException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a policy directory; print every problem as file:line:column and exit 1 if there is one.")
final class ValidateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Policy directory.")
    Path dir;

    @Override
    public Integer call() {
        PolicySet p;
        try {
            p = new PolicyParser().parse(PolicyDirectory.read(dir));
        } catch (InvalidInputException e) {
            return Problems.print(spec.commandLine().getErr(), e);
        }
        var out = spec.commandLine().getOut();
        out.println(Printable.escape(String.format("ok: %d file(s); TierPolicy %s with tiers %s; %d exclusion(s); sha256:%s", p.files().size(),
                p.tierPolicy().name(), p.tierPolicy().tiers().stream().map(Tier::name).toList(), p.exclusions().size(), p.digest())));
        p.notes().forEach(n -> out.println(Printable.escape("note: " + n)));
        out.flush();
        return 0;
    }
}
