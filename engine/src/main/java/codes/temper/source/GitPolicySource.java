package codes.temper.source;

import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicyParser;
import codes.temper.policy.PolicySet;
import codes.temper.yaml.InvalidInputException;
import codes.temper.yaml.Problem;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Keeps a current policy revision from a Git remote. Each poll: fetch; if the commit is the current
 * one (or the one last rejected), nothing more; otherwise verify the commit, read and parse its
 * files, run the caller's evaluation check, and only when all of that passed, save it as
 * last-known-good and make it current in one step. Anything else leaves the current revision in
 * force. {@link #poll()} never throws.
 *
 * <p><b>Jitter.</b> Thousands of nodes must not poll in lockstep. The first poll waits a uniformly
 * random time in {@code [0, jitter × interval]}; every later one waits
 * {@code interval × (1 + u)} with {@code u} uniform in {@code [-jitter, +jitter]} (default
 * ±20 %), drawn afresh each time. Nodes started together by a rollout therefore spread out at once
 * and keep drifting apart (a random walk), while the mean interval stays {@code interval}.
 */
public final class PolicySourcePoller implements AutoCloseable {

    /** A check the caller runs on a parsed revision before it may become current (e.g. evaluate the rules). */
    @FunctionalInterface
    public interface EvaluationCheck {
        void check(PolicySet policy) throws Exception;

        EvaluationCheck NONE = p -> { };
    }

    public enum Outcome { UNCHANGED, APPLIED, REJECTED, FAILED }

    /** What one poll did. */
    public record PollResult(Outcome outcome, String revision, String message) {
    }

    /**
     * A consistent snapshot of the poller's state.
     *
     * @param current             the revision in force, or null when there has never been one
     * @param lastRejection       the most recent refused revision, or null
     * @param lastSuccessfulPoll  when the remote last answered, or null since start
     * @param consecutiveFailures polls in a row that could not reach the remote or the cache
     * @param lastFailure         the message of the most recent failed poll, or null
     * @param lastKnownGoodProblem why the last-known-good file was not read or written, or null
     */
    public record Status(AppliedRevision current, Rejected lastRejection, Instant lastSuccessfulPoll,
                         int consecutiveFailures, String lastFailure, String lastKnownGoodProblem) {
    }

    private final GitFetcher fetcher;
    private final LastKnownGood lkg;
    private final CommitVerifier verifier;
    private final EvaluationCheck check;
    private final Clock clock;
    private final PolicyParser parser = new PolicyParser();
    private volatile Status status;
    private ScheduledExecutorService scheduler;

    /**
     * Loads the last-known-good file if there is one (and it still parses and passes the check):
     * it is current from the start, before any network access. A corrupt file is reported in
     * {@link Status#lastKnownGoodProblem()} and ignored.
     *
     * @param lkg      where to persist the last good revision, or null for none
     * @param verifier {@link CommitVerifier#UNSIGNED_ALLOWED} unless signed-commit mode is on
     */
    public PolicySourcePoller(GitFetcher fetcher, LastKnownGood lkg, CommitVerifier verifier, EvaluationCheck check, Clock clock) {
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

    public PolicySourcePoller(GitFetcher fetcher, LastKnownGood lkg) {
        this(fetcher, lkg, CommitVerifier.UNSIGNED_ALLOWED, EvaluationCheck.NONE, Clock.systemUTC());
    }

    private AppliedRevision restore(LastKnownGood.Entry e) throws Exception {
        PolicySet set = parser.parse(e.files());
        check.check(set);
        return new AppliedRevision(e.revision(), e.commit(), e.fetchedAt(), e.files(), set, true);
    }

    public Status status() {
        return status;
    }

    public Optional<AppliedRevision> current() {
        return Optional.ofNullable(status.current());
    }

    /** One poll, synchronously. Never throws; the result and {@link #status()} say what happened. */
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
        CommitVerifier.Verdict verdict;
        try {
            verdict = verifier.verify(f.commit());
        } catch (RuntimeException e) {
            verdict = new CommitVerifier.Verdict(false, "verifier failed: " + GitSourceException.describe(e));
        }
        if (!verdict.accepted()) return reject(s, f, now, "commit verification: " + verdict.reason(), List.of());
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

    /** The wait before the next poll: {@code interval × (1 + u)}, {@code u} uniform in [-jitter, +jitter]. */
    public static Duration nextDelay(Duration interval, double jitter, RandomGenerator random) {
        double u = jitter <= 0 ? 0 : random.nextDouble(-jitter, jitter);
        return Duration.ofNanos(Math.max(0, Math.round(interval.toNanos() * (1 + u))));
    }

    /** The wait before the first poll: uniform in [0, jitter × interval]. */
    public static Duration firstDelay(Duration interval, double jitter, RandomGenerator random) {
        double u = jitter <= 0 ? 0 : random.nextDouble(0, jitter);
        return Duration.ofNanos(Math.round(interval.toNanos() * u));
    }

    /** Polls in the background on one daemon thread until {@link #close()}. */
    public synchronized void start(Duration interval, double jitter) {
        if (scheduler != null) throw new IllegalStateException("already started");
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be positive");
        if (jitter < 0 || jitter >= 1) throw new IllegalArgumentException("jitter must be in [0, 1)");
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "temper-policy-poll");
            t.setDaemon(true);
            return t;
        });
        RandomGenerator random = RandomGenerator.getDefault();
        schedule(firstDelay(interval, jitter, random), interval, jitter, random);
    }

    private void schedule(Duration delay, Duration interval, double jitter, RandomGenerator random) {
        ScheduledExecutorService s = scheduler;
        if (s == null || s.isShutdown()) return;
        try {
            s.schedule(() -> {
                poll();
                schedule(nextDelay(interval, jitter, random), interval, jitter, random);
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // close() won the race: no more polls.
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
        }
        if (s != null) s.shutdownNow();
    }
}
