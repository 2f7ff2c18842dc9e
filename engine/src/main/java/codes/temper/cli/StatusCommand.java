package codes.temper.cli;

import codes.temper.text.Printable;
import codes.temper.text.Redaction;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code temper status}: every node's agent-status, mode, policy revision and safe-mode request, from the Node annotations. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the fleet as the agents annotate their Nodes: each node's mode and reason",
                "(temper.codes/agent-status), policy revision (temper.codes/policy-revision) and",
                "safe-mode request (temper.codes/safe-mode-requested). Lists nodes only.",
                "A node no agent has reported on is 'unknown'."})
final class StatusCommand implements Callable<Integer> {

    /** Nodes per list request: a large fleet is read in pages, as kubectl does. */
    static final long PAGE = 500;

    @Spec CommandSpec spec;

    @Mixin KubeOptions kube;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR",
            description = "Only nodes matching this label selector, as kubectl's -l (e.g. pool=gpu, 'zone in (a,b)', '!temper.codes/skip').")
    String selector;

    @Mixin ListOutput output;

    @Override
    public Integer call() {
        List<Node> nodes = new ArrayList<>();
        try (KubernetesClient client = kube.client()) {
            String next = null;
            do {
                NodeList page = client.nodes().list(new ListOptionsBuilder().withLabelSelector(selector).withLimit(PAGE)
                        .withContinue(next).build());
                nodes.addAll(page.getItems());
                next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
            } while (next != null && !next.isEmpty());
        } catch (IOException | KubernetesClientException e) {
            return kube.fail(spec.commandLine().getErr(), e);
        }
        FleetView view = FleetView.of(nodes);
        output.print(spec.commandLine().getOut(), view, view);
        return 0;
    }
}
