package codes.temper.source;

import codes.temper.policy.PolicySet;
import codes.temper.yaml.InvalidInputException;
import java.time.Instant;
import java.util.Optional;

/**
 * Where policy revisions come from: a directory ({@link DirectoryPolicySource}) or a Git remote
 * ({@link GitPolicySource}), made by {@link PolicySources#open}. Either way a revision is applied
 * whole or not at all: a poll makes a revision current only when it was read, validated and
 * passed the caller's evaluation check; anything else leaves the current one in force.
 */
public interface PolicySource {

    /** A check the caller runs on a parsed revision before it may become current (e.g. evaluate the rules). */
    @FunctionalInterface
    interface EvaluationCheck {
        void check(PolicySet policy) throws Exception;

        EvaluationCheck NONE = p -> { };
    }

    enum Outcome { UNCHANGED, APPLIED, REJECTED, FAILED }

    /** What one poll did. */
    record PollResult(Outcome outcome, String revision, String message) {
    }

    /**
     * A consistent snapshot of a source's state.
     *
     * @param current             the revision in force, or null when there has never been one
     * @param lastRejection       the most recent refused revision, or null
     * @param lastSuccessfulPoll  when the source last answered, or null since start
     * @param consecutiveFailures polls in a row that could not reach the source
     * @param lastFailure         the message of the most recent failed poll, or null
     * @param lastKnownGoodProblem why the last-known-good file was not read or written, or null
     */
    record Status(AppliedRevision current, Rejected lastRejection, Instant lastSuccessfulPoll,
                  int consecutiveFailures, String lastFailure, String lastKnownGoodProblem) {
    }

    /** One poll, synchronously. Never throws; the result and {@link #status()} say what happened. */
    PollResult poll();

    Status status();

    default Optional<AppliedRevision> current() {
        return Optional.ofNullable(status().current());
    }

    /**
     * The source's revision now, read and validated but not made current and not evaluated:
     * what {@code temper plan} decides on.
     *
     * @throws InvalidInputException the revision's problems, {@code file:line:column}
     * @throws GitSourceException    the source cannot be read, or a commit is refused by its signature
     */
    AppliedRevision read() throws InvalidInputException, GitSourceException;
}
