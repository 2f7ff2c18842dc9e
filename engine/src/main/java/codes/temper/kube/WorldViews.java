package codes.temper.kube;

import codes.temper.reconcile.WorldView;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;

/** What the world adapters hold, handed to the loop as the rules' facts. */
final class WorldViews {
    private WorldViews() {
    }

    static WorldView of(boolean synced, Optional<Node> node, List<Pod> pods, CgroupDriver driver, Optional<String> problem) {
        return new WorldView(synced, node.isPresent(), node.flatMap(NodeFacts::of),
                pods.stream().map(p -> PodFacts.of(p, driver)).toList(), driver.podsRoot(), problem);
    }
}
