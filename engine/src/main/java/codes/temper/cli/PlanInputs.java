package codes.temper.cli;

import codes.temper.kube.CgroupDriver;
import codes.temper.kube.NodeFacts;
import codes.temper.kube.PodFacts;
import codes.temper.kube.Snapshots;
import codes.temper.policy.PolicySet;
import codes.temper.rules.NodeFact;
import codes.temper.rules.PodFact;
import codes.temper.source.AppliedRevision;
import codes.temper.source.GitSourceException;
import codes.temper.source.PolicySource;
import codes.temper.source.PolicySources;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** The offline inputs of a decision: policies (a directory or a Git remote) and kubectl snapshots, read and checked. */
record PlanInputs(PolicySet policy, String revision, NodeFact node, List<PodFact> pods) {

    /** {@code policies}: a directory or a Git location, as {@link PolicySources#open} tells them apart. */
    static PlanInputs read(String policies, PolicySources.GitOptions git, Path podsFile, Path nodeFile, CgroupDriver driver)
            throws InvalidInputException, GitSourceException, IOException {
        PolicySource source = PolicySources.open(policies, git, PolicySource.EvaluationCheck.NONE, Clock.systemUTC());
        AppliedRevision r = source.read();
        NodeFact node = NodeFacts.of(Snapshots.readNode(nodeFile)).orElseThrow(() -> new InvalidInputException(List.of(
                new Problem(nodeFile.toString(), 1, 1, "status.allocatable.cpu", "the node reports no allocatable or capacity CPU"))));
        List<PodFact> pods = Snapshots.readPods(podsFile).stream().map(p -> PodFacts.of(p, driver)).toList();
        return new PlanInputs(r.policy(), r.revision(), node, pods);
    }
}
