package codes.temper.source;

import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Decides, by its signature, whether a commit may become a policy revision. Runs before the
 * commit's files are parsed: a refused commit is never read.
 */
public interface CommitVerifier {

    /** @param accepted whether the commit may be used; {@code reason} says why either way */
    record Verdict(boolean accepted, String reason) {
    }

    Verdict verify(RevCommit commit);

    /** The default when signed-commit mode is off. */
    CommitVerifier UNSIGNED_ALLOWED = commit -> new Verdict(true, "signed-commit mode is off");
}
