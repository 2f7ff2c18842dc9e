package codes.temper.cli;

import codes.temper.text.Printable;
import codes.temper.text.Redaction;

import codes.temper.kube.CgroupDriver;
import codes.temper.rules.Decision;
import codes.temper.rules.RuleEngine;
import codes.temper.source.GitSourceException;
import codes.temper.source.PolicySources;
import codes.temper.yaml.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Decide tiers, ceilings and the node's mode offline, from a policy directory and kubectl snapshots.")
final class PlanCommand implements Callable<Integer> {
    enum Output { json, table }

    @Spec CommandSpec spec;

    @Option(names = "--policies", required = true, paramLabel = "DIR|URL",
            description = "Policy directory (its *.yaml files), or a Git remote <url>[#<ref>[:<path>]] (ref default main).")
    String policies;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Git cache for a remote --policies (default: ${XDG_CACHE_HOME:-~/.cache}/temper/git).")
    Path cacheDir;

    @Option(names = "--git-credentials", paramLabel = "FILE|DIR",
            description = "Credentials for the remote: username/password (or token) lines, a Secret mount, or an SSH key.")
    Path gitCredentials;

    @Option(names = "--trusted-keys", paramLabel = "DIR",
            description = "Signed-commit mode: the commit must carry an OpenPGP signature by a key in DIR (*.asc, *.gpg).")
    Path trustedKeys;

    @Option(names = "--git-timeout", defaultValue = "30s", converter = DurationConverter.Positive.class, paramLabel = "DURATION",
            description = "Timeout of each network operation, e.g. 30s (default: ${DEFAULT-VALUE}).")
    Duration gitTimeout;

    @Option(names = "--pods", required = true, paramLabel = "FILE", description = "kubectl get pods -A -o yaml|json output.")
    Path pods;

    @Option(names = "--node", required = true, paramLabel = "FILE", description = "kubectl get node NAME -o yaml|json output.")
    Path node;

    @Option(names = "--output", defaultValue = "table", paramLabel = "json|table", description = "Output format (default: ${DEFAULT-VALUE}).")
    Output output;

    @Option(names = "--cgroup-driver", defaultValue = "systemd", paramLabel = "systemd|cgroupfs",
            description = "The kubelet's cgroup driver, for pod cgroup paths (default: ${DEFAULT-VALUE}).")
    CgroupDriver cgroupDriver;

    @Override
    public Integer call() {
        PlanInputs in;
        try {
            in = PlanInputs.read(policies, new PolicySources.GitOptions(cacheDir, gitCredentials, gitTimeout, trustedKeys, false),
                    pods, node, cgroupDriver);
        } catch (InvalidInputException e) {
            return Problems.print(spec.commandLine().getErr(), e);
        } catch (GitSourceException | IOException e) {
            spec.commandLine().getErr().println("temper: " + Printable.escape(Redaction.text(e.getMessage())));
            return 1;
        }
        Decision d = RuleEngine.get().evaluate(in.policy(), in.node(), in.pods());
        PlanView view = PlanView.of(d, in.revision(), in.policy().notes());
        var out = spec.commandLine().getOut();
        if (output == Output.json) out.println(view.json());
        else view.table(out);
        out.flush();
        return 0;
    }
}
