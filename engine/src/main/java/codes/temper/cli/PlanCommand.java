package codes.temper.cli;

import codes.temper.text.Printable;
import codes.temper.text.Redaction;

import codes.temper.kube.CgroupDriver;
import codes.temper.rules.Decision;
import codes.temper.rules.RuleEngine;
import codes.temper.source.GitSourceException;
import codes.temper.source.PolicySources;
import codes.temper.yaml.InvalidInputException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Decide tiers, ceilings and the node's mode from policies and a node's pods:",
                "  snapshots: --pods FILE --node FILE  (- reads stdin; no cluster needed)",
                "  cluster:   --node NAME [--kubeconfig FILE] [--context NAME]  (get, list)"})
final class PlanCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @ParentCommand Main main;

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
            description = "Timeout of each network operation, e.g. 500ms, 30s (default: ${DEFAULT-VALUE}).")
    Duration gitTimeout;

    @Option(names = "--pods", paramLabel = "FILE|-",
            description = "kubectl get pods -A -o yaml|json output; - reads standard input. Without it, pods come from the cluster.")
    String pods;

    @Option(names = "--node", required = true, paramLabel = "FILE|-|NAME",
            description = "With --pods: kubectl get node NAME -o yaml|json output (- for standard input). Without: the node's name in the cluster.")
    String node;

    @Mixin KubeOptions kube;

    @Mixin ListOutput output;

    @Option(names = "--cgroup-driver", defaultValue = "systemd", paramLabel = "systemd|cgroupfs", completionCandidates = Candidates.CgroupDrivers.class,
            description = "The kubelet's cgroup driver, for pod cgroup paths (default: ${DEFAULT-VALUE}).")
    CgroupDriver cgroupDriver;

    @Override
    public Integer call() {
        checkSources();
        PlanInputs in;
        var err = spec.commandLine().getErr();
        try {
            var git = new PolicySources.GitOptions(cacheDir, gitCredentials, gitTimeout, trustedKeys, false);
            if (pods != null) {
                in = PlanInputs.read(policies, git, () -> PlanInputs.fromFiles(pods, node, main.stdin()), cgroupDriver);
            } else {
                in = PlanInputs.read(policies, git, () -> {
                    try (KubernetesClient client = kube.client()) {
                        return PlanInputs.fromCluster(client, node);
                    }
                }, cgroupDriver);
            }
        } catch (InvalidInputException e) {
            return Problems.print(err, e);
        } catch (GitSourceException | IOException | KubernetesClientException e) {
            return kube.fail(err, e);
        }
        Decision d = RuleEngine.get().evaluate(in.policy(), in.node(), in.pods());
        PlanView view = PlanView.of(d, in.revision(), in.policy().notes());
        output.print(spec.commandLine().getOut(), view, view);
        return 0;
    }

    /** Snapshots or a cluster, not a mix: each combination that cannot mean what it says is a usage error (exit 2). */
    private void checkSources() {
        if (pods != null) {
            if (kube.given()) {
                throw new ParameterException(spec.commandLine(), "--kubeconfig/--context read the cluster; with --pods FILE the node is a file too:"
                        + " drop --pods to take the node and its pods from the cluster");
            }
            if ("-".equals(pods) && "-".equals(node)) {
                throw new ParameterException(spec.commandLine(), "--pods - and --node - cannot both read standard input");
            }
        } else if ("-".equals(node) || node.contains("/") || Files.exists(Path.of(node))) {
            // A file given without --pods: the user meant snapshots and forgot the pods.
            throw new ParameterException(spec.commandLine(), "--node " + Printable.escape(node) + " is a file: give --pods FILE (or -) with it,"
                    + " or name a node to read it and its pods from the cluster");
        }
    }
}
