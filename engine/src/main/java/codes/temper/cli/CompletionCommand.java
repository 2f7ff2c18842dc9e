package codes.temper.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code temper completion}: picocli's generated completion script for bash (zsh loads it through
 * bashcompinit). It is generated from the live command tree, so every command, option and enum
 * value ({@code -o json|yaml|table}) completes without a second list to keep in step.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash completion script for temper.",
                "  source <(temper completion)                        # this shell",
                "  temper completion > /etc/bash_completion.d/temper  # every new shell",
                "zsh: run 'autoload -U +X bashcompinit && bashcompinit' before sourcing it."})
final class CompletionCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
        out.flush();
        return 0;
    }
}
