package codes.temper.source;

import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A Git remote as a {@link PolicySource}. Each poll: fetch; if the commit is the current one (or
 * the one last rejected), nothing more; otherwise verify the commit, read and parse its files, run
 * the caller's evaluation check, and only when all of that passed, save it as last-known-good and
 * make it current in one step. Anything else leaves the current revision in force.
 * {@link #poll()} never throws. When to poll is {@link PollPlan}'s business, and the waiting
 * {@link PolicyPolls}'.
 */
public final class GitPolicySource implements PolicySource {

    private final GitFetcher fetcher;
    private final LastKnownGood lkg;
    private final CommitVerifier verifier;
    private final EvaluationCheck check;
    private final Clock clock;
    private final PolicyParser parser = new PolicyParser();
    private volatile Status status;

    /**
     * Loads the last-known-good file if there is one (and it still parses and passes the check):
     * it is current from the start, before any network access. A corrupt file is reported in
     * {@link Status#lastKnownGoodProblem()} and ignored.
     *
     * @param lkg      where to persist the last good revision, or null for none
     * @param verifier {@link CommitVerifier#UNSIGNED_ALLOWED} unless signed-commit mode is on
     */
    public GitPolicySource(GitFetcher fetcher, LastKnownGood lkg, CommitVerifier verifier, EvaluationCheck check, Clock clock) {
        this.fetcher = fetcher;
        this.lkg = lkg;
        this.verifier = verifier == null ? CommitVerifier.UNSIGNED_ALLOWED : verifier;
        this.check = check == null ? EvaluationCheck.NONE : check;
        this.clock = clock == null ? Clock.systemUTC() : clock;
        AppliedRevision fromDisk = null;
        String lkgProblem = null;
        if (lkg != null) {
            try {
                Optional<LastKnownGood.Entry> e = lkg.load();
                if (e.isPresent()) fromDisk = restore(e.get());
            } catch (IOException e) {
                lkgProblem = e.getMessage();
            } catch (InvalidInputException e) {
                lkgProblem = lkg.file() + ": the last-known-good revision no longer validates: " + e.problems().getFirst();
            } catch (Exception e) {
                lkgProblem = lkg.file() + ": the last-known-good revision fails the evaluation check: " + GitSourceException.describe(e);
            }
        }
        this.status = new Status(fromDisk, null, null, 0, null, lkgProblem);
    }

    public GitPolicySource(GitFetcher fetcher, LastKnownGood lkg) {
        this(fetcher, lkg, CommitVerifier.UNSIGNED_ALLOWED, EvaluationCheck.NONE, Clock.systemUTC());
    }

    private AppliedRevision restore(LastKnownGood.Entry e) throws Exception {
        PolicySet set = parser.parse(e.files());
        check.check(set);
        return new AppliedRevision(e.revision(), e.commit(), e.fetchedAt(), e.files(), set, true);
    }

    @Override
    public Status status() {
        return status;
    }

    @Override
    public AppliedRevision read() throws InvalidInputException, GitSourceException {
        GitFetcher.Fetched f = fetcher.fetch();
        String refused = refusal(f);
        if (refused != null) throw new GitSourceException(refused);
        List<PolicyFile> files = fetcher.files(f.commitId());
        return new AppliedRevision(f.revision(), f.commitId().name(), clock.instant(), files, parser.parse(files), false);
    }

    /** Why the commit's signature refuses it, or null when it may be read. */
    private String refusal(GitFetcher.Fetched f) {
        try {
            CommitVerifier.Verdict verdict = verifier.verify(f.commit());
            return verdict.accepted() ? null : verdict.reason();
        } catch (RuntimeException e) {
            return "verifier failed: " + GitSourceException.describe(e);
        }
    }

    @Override
    public synchronized PollResult poll() {
        Status s = status;
        GitFetcher.Fetched f;
        try {
            f = fetcher.fetch();
        } catch (GitSourceException | RuntimeException e) {
            return fail(s, e);
        }
        Instant now = clock.instant();
        String commit = f.commitId().name();
        AppliedRevision cur = s.current();
        if (cur != null && cur.commit().equals(commit)) {
            status = new Status(cur, s.lastRejection(), now, 0, null, s.lastKnownGoodProblem());
            return new PollResult(Outcome.UNCHANGED, cur.revision(), "unchanged");
        }
        if (s.lastRejection() != null && s.lastRejection().commit().equals(commit)) {
            // Refused already; it stays refused until a new commit arrives (rules ship in the image).
            status = new Status(cur, s.lastRejection(), now, 0, null, s.lastKnownGoodProblem());
            return new PollResult(Outcome.UNCHANGED, f.revision(), "still rejected: " + s.lastRejection().reason());
        }
        String refused = refusal(f);
        if (refused != null) return reject(s, f, now, "commit verification: " + refused, List.of());
        List<PolicyFile> files;
        PolicySet set;
        try {
            files = fetcher.files(f.commitId());
            set = parser.parse(files);
        } catch (InvalidInputException e) {
            return reject(s, f, now, "invalid policy", e.problems());
        } catch (GitSourceException | RuntimeException e) {
            return fail(s, e);
        }
        try {
            check.check(set);
        } catch (Exception e) {
            return reject(s, f, now, "evaluation failed: " + GitSourceException.describe(e), List.of());
        }
        AppliedRevision next = new AppliedRevision(f.revision(), commit, now, files, set, false);
        String lkgProblem = null;
        if (lkg != null) {
            try {
                lkg.save(next);
            } catch (IOException | RuntimeException e) {
                // The revision is good; failing to persist it must not keep it out of force.
                lkgProblem = "cannot save last-known-good " + lkg.file() + ": " + GitSourceException.describe(e);
            }
        }
        status = new Status(next, s.lastRejection(), now, 0, null, lkgProblem);
        return new PollResult(Outcome.APPLIED, next.revision(), "applied");
    }

    private PollResult fail(Status s, Exception e) {
        String msg = e instanceof GitSourceException ? e.getMessage() : "unexpected error: " + GitSourceException.describe(e);
        status = new Status(s.current(), s.lastRejection(), s.lastSuccessfulPoll(), s.consecutiveFailures() + 1, msg, s.lastKnownGoodProblem());
        return new PollResult(Outcome.FAILED, s.current() == null ? null : s.current().revision(), msg);
    }

    private PollResult reject(Status s, GitFetcher.Fetched f, Instant now, String reason, List<Problem> problems) {
        Rejected r = new Rejected(f.revision(), f.commitId().name(), reason, problems, now);
        status = new Status(s.current(), r, now, 0, null, s.lastKnownGoodProblem());
        return new PollResult(Outcome.REJECTED, f.revision(), r.toString());
    }
}
