package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.nio.file.Path;
import java.util.List;

/** The offline inputs of a decision: a policy directory and kubectl snapshots, read and checked. */
record PlanInputs(PolicySet policy, String revision, NodeFact node, List<PodFact> pods) {

    static PlanInputs read(Path policies, Path podsFile, Path nodeFile, CgroupDriver driver) throws InvalidInputException {
        PolicySet policy = new PolicyParser().parse(PolicyDirectory.read(policies));
        NodeFact node = NodeFacts.of(Snapshots.readNode(nodeFile)).orElseThrow(() -> new InvalidInputException(List.of(
                new Problem(nodeFile.toString(), 1, 1, "status.allocatable.cpu", "the node reports no allocatable or capacity CPU"))));
        List<PodFact> pods = Snapshots.readPods(podsFile).stream().map(p -> PodFacts.of(p, driver)).toList();
        // A directory has no commit; its content digest still identifies exactly what was applied.
        return new PlanInputs(policy, "dir@sha256:" + policy.digest(), node, pods);
    }
}
