package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.rules.Decision;
import codes.temper.rules.RuleEngine;
import codes.temper.yaml.InvalidInputException;
import java.nio.file.Path;
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

    @Option(names = "--policies", required = true, paramLabel = "DIR", description = "Policy directory (its *.yaml files).")
    Path policies;

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
            in = PlanInputs.read(policies, pods, node, cgroupDriver);
        } catch (InvalidInputException e) {
            return Problems.print(spec.commandLine().getErr(), e);
        }
        Decision d = RuleEngine.get().evaluate(in.policy(), in.node(), in.pods());
        PlanView view = PlanView.of(d, in.revision());
        var out = spec.commandLine().getOut();
        if (output == Output.json) out.println(view.json());
        else view.table(out);
        out.flush();
        return 0;
    }
}
