package codes.temper.source;

import codes.temper.policy.PolicyFile;
import codes.temper.policy.PolicySet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A policy revision in force: parsed, validated and evaluated completely before it was made
 * current. Immutable; replaced whole, never edited.
 *
 * @param revision    {@code <ref>@sha1:<40 hex>}, or {@code dir@sha256:<64 hex>} for a directory
 * @param commit      the 40-hex commit id; for a directory, its content digest
 * @param fetchedAt   when this revision was fetched or read (kept across restarts)
 * @param files       the policy files as read from the commit
 * @param fromDisk    true when it was loaded from the last-known-good file at start-up
 */
public record AppliedRevision(String revision, String commit, Instant fetchedAt, List<PolicyFile> files,
                              PolicySet policy, boolean fromDisk) {
    public AppliedRevision {
        files = List.copyOf(files);
    }

    /** How old this revision is: time since it was fetched. */
    public Duration age(Instant now) {
        return Duration.between(fetchedAt, now);
    }

    @Override
    public String toString() {
        return revision + " (fetched " + fetchedAt + (fromDisk ? ", from last-known-good file" : "") + ")";
    }
}
