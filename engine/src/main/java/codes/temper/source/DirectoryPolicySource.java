package codes.temper.source;

import codes.temper.policy.PolicyDirectory;
import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * {@code --policies DIR}: the whole-or-nothing contract of {@link PolicySource} for a plain
 * directory (the embedded default, a ConfigMap mount). A poll re-reads the directory; a changed
 * and valid content becomes current as {@code dir@sha256:<digest>}; an invalid one is rejected
 * with its problems and the last good stays.
 */
public final class DirectoryPolicySource implements PolicySource {
    private final Path dir;
    private final EvaluationCheck check;
    private final Clock clock;
    private final PolicyParser parser = new PolicyParser();
    private volatile Status status = new Status(null, null, null, 0, null, null);

    public DirectoryPolicySource(Path dir, EvaluationCheck check, Clock clock) {
        this.dir = dir;
        this.check = check == null ? EvaluationCheck.NONE : check;
        this.clock = clock == null ? Clock.systemUTC() : clock;
    }

    /** The digest covers names inside the directory, so the revision does not depend on how its path is written. */
    public static String revision(PolicySet set) {
        return "dir@sha256:" + set.digest();
    }

    @Override
    public Status status() {
        return status;
    }

    @Override
    public AppliedRevision read() throws InvalidInputException {
        List<PolicyFile> files = PolicyDirectory.read(dir);
        PolicySet set = parser.parse(files);
        return new AppliedRevision(revision(set), set.digest(), clock.instant(), files, set, false);
    }

    @Override
    public synchronized PollResult poll() {
        Status s = status;
        AppliedRevision cur = s.current();
        AppliedRevision next;
        List<PolicyFile> files = null;
        try {
            files = PolicyDirectory.read(dir);
            PolicySet set = parser.parse(files);
            next = new AppliedRevision(revision(set), set.digest(), clock.instant(), files, set, false);
        } catch (InvalidInputException e) {
            // Named as what it would have been (files that could not even be read: the directory's path).
            String refused = files == null ? dir.toString() : "dir@sha256:" + parser.digest(files);
            return reject(s, refused, "invalid policy: " + String.join("; ", e.problems().stream().map(Object::toString).toList()), e.problems());
        } catch (RuntimeException e) {
            String msg = "cannot read " + dir + ": " + e.getMessage();
            status = new Status(cur, s.lastRejection(), s.lastSuccessfulPoll(), s.consecutiveFailures() + 1, msg, null);
            return new PollResult(Outcome.FAILED, cur == null ? null : cur.revision(), msg);
        }
        Instant now = next.fetchedAt();
        if (cur != null && cur.commit().equals(next.commit())) {
            status = new Status(cur, s.lastRejection(), now, 0, null, null);
            return new PollResult(Outcome.UNCHANGED, cur.revision(), "unchanged");
        }
        try {
            check.check(next.policy());
        } catch (Exception e) {
            return reject(s, next.revision(), "evaluation failed: " + GitSourceException.describe(e), List.of());
        }
        status = new Status(next, null, now, 0, null, null);
        return new PollResult(Outcome.APPLIED, next.revision(), "applied");
    }

    /** @param refused the revision refused: reported as such, never as the one still in force */
    private PollResult reject(Status s, String refused, String why, List<Problem> problems) {
        boolean repeated = s.lastRejection() != null && refused.equals(s.lastRejection().revision()) && why.equals(s.lastRejection().reason());
        Instant now = clock.instant();
        status = new Status(s.current(), new Rejected(refused, null, why, problems, now), now, 0, null, null);
        // Reported once per distinct problem: polling an unchanged bad directory is not news.
        if (repeated) return new PollResult(Outcome.UNCHANGED, s.current() == null ? null : s.current().revision(), why);
        return new PollResult(Outcome.REJECTED, refused, why);
    }
}
