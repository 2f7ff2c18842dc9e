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
import codes.temper.source.CommitVerifier;
import codes.temper.source.GitCredentials;
import codes.temper.source.GitFetcher;
import codes.temper.source.GitSourceException;
import codes.temper.source.OpenPgpCommitVerifier;
import codes.temper.source.PolicyLocation;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The offline inputs of a decision: policies (a directory or a Git remote) and kubectl snapshots, read and checked. */
record PlanInputs(PolicySet policy, String revision, NodeFact node, List<PodFact> pods) {

    /** How to reach a Git remote when {@code --policies} names one. */
    /** @param trustedKeys signed-commit mode: OpenPGP public keys a commit must be signed by, or null */
    record GitOptions(Path cacheRoot, Path credentials, Duration timeout, Path trustedKeys) {}

    static PlanInputs read(Path policies, Path podsFile, Path nodeFile, CgroupDriver driver) throws InvalidInputException {
        PolicySet policy = new PolicyParser().parse(PolicyDirectory.read(policies));
        return withSnapshots(policy, "dir@sha256:" + policy.digest(), podsFile, nodeFile, driver);
    }

    /**
     * {@code policies} is a local directory when one exists by that name, else a Git location
     * {@code <url>[#<ref>[:<path>]]} when it looks like one (scheme:// or user@host:).
     */
    static PlanInputs read(String policies, GitOptions git, Path podsFile, Path nodeFile, CgroupDriver driver)
            throws InvalidInputException, GitSourceException, IOException {
        if (Files.isDirectory(Path.of(policies)) || !PolicyLocation.looksRemote(policies)) {
            if (git.trustedKeys() != null) throw new GitSourceException("--trusted-keys needs a Git remote; " + policies + " is a directory");
            return read(Path.of(policies), podsFile, nodeFile, driver);
        }
        // Keys first: a bad key set is a configuration error even before the remote is asked.
        CommitVerifier verifier = git.trustedKeys() == null ? CommitVerifier.UNSIGNED_ALLOWED : new OpenPgpCommitVerifier(git.trustedKeys());
        PolicyLocation loc = PolicyLocation.parse(policies);
        GitCredentials creds = git.credentials() == null ? GitCredentials.NONE : GitCredentials.read(git.credentials());
        Path root = git.cacheRoot() == null ? PolicyLocation.defaultCacheRoot() : git.cacheRoot();
        GitFetcher fetcher = new GitFetcher(loc, root, creds, git.timeout());
        GitFetcher.Fetched f = fetcher.fetch();
        CommitVerifier.Verdict verdict = verifier.verify(f.commit());
        if (!verdict.accepted()) throw new GitSourceException(verdict.reason());
        PolicySet policy = new PolicyParser().parse(fetcher.files(f.commitId()));
        return withSnapshots(policy, f.revision(), podsFile, nodeFile, driver);
    }

    private static PlanInputs withSnapshots(PolicySet policy, String revision, Path podsFile, Path nodeFile, CgroupDriver driver)
            throws InvalidInputException {
        NodeFact node = NodeFacts.of(Snapshots.readNode(nodeFile)).orElseThrow(() -> new InvalidInputException(List.of(
                new Problem(nodeFile.toString(), 1, 1, "status.allocatable.cpu", "the node reports no allocatable or capacity CPU"))));
        List<PodFact> pods = Snapshots.readPods(podsFile).stream().map(p -> PodFacts.of(p, driver)).toList();
        // A directory has no commit; its content digest still identifies exactly what was applied.
        return new PlanInputs(policy, revision, node, pods);
    }
}
