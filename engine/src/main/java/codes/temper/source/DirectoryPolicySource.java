package codes.temper.source;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.source.PolicySourcePoller.Outcome;
import codes.temper.source.PolicySourcePoller.PollResult;
import codes.temper.yaml.InvalidInputException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --policies DIR}: the same whole-or-nothing contract as the Git poller for a plain
 * directory (the embedded default, a ConfigMap mount). A poll re-reads the directory; a changed
 * and valid content becomes current as {@code dir@sha256:<digest>}; an invalid one is rejected
 * with its problems and the last good stays.
 */
public final class DirectoryPolicySource {
    private final Path dir;
    private final PolicySourcePoller.EvaluationCheck check;
    private final PolicyParser parser = new PolicyParser();
    private volatile PolicySet current;
    private volatile String lastRejection;

    public DirectoryPolicySource(Path dir, PolicySourcePoller.EvaluationCheck check) {
        this.dir = dir;
        this.check = check == null ? PolicySourcePoller.EvaluationCheck.NONE : check;
    }

    public static String revision(PolicySet set) {
        return "dir@sha256:" + set.digest();
    }

    public synchronized PollResult poll() {
        PolicySet set;
        try {
            set = parser.parse(PolicyDirectory.read(dir));
        } catch (InvalidInputException e) {
            return reject("invalid policy: " + String.join("; ", e.problems().stream().map(Object::toString).toList()));
        } catch (RuntimeException e) {
            return new PollResult(Outcome.FAILED, current == null ? null : revision(current), "cannot read " + dir + ": " + e.getMessage());
        }
        if (current != null && current.digest().equals(set.digest())) return new PollResult(Outcome.UNCHANGED, revision(current), "unchanged");
        try {
            check.check(set);
        } catch (Exception e) {
            return reject("evaluation failed: " + GitSourceException.describe(e));
        }
        current = set;
        lastRejection = null;
        return new PollResult(Outcome.APPLIED, revision(set), "applied");
    }

    private PollResult reject(String why) {
        boolean repeated = why.equals(lastRejection);
        lastRejection = why;
        // Reported once per distinct problem: polling an unchanged bad directory is not news.
        return new PollResult(repeated ? Outcome.UNCHANGED : Outcome.REJECTED, current == null ? null : revision(current), why);
    }

    public Optional<PolicySet> current() {
        return Optional.ofNullable(current);
    }
}
