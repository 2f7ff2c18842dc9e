package codes.temper.source;

import codes.temper.yaml.Problem;
import java.time.Instant;
import java.util.List;

/**
 * A revision that was refused; the previous good revision stayed in force.
 *
 * @param commit   the refused commit; null for a directory, which has none
 * @param reason   one line: "invalid policy", "commit verification: ...", "evaluation failed: ..."
 * @param problems the same {@code file:line:column} problems {@code temper validate} prints, with
 *                 file names relative to the repository root; empty when the refusal is not
 *                 about a file (signature, evaluation)
 */
public record Rejected(String revision, String commit, String reason, List<Problem> problems, Instant at) {
    public Rejected {
        problems = List.copyOf(problems);
    }

    /** Multi-line: the commit, the reason, then one problem per line as {@code temper validate} prints them. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("rejected " + revision + (commit == null ? "" : " (commit " + commit + ")") + ": " + reason);
        problems.forEach(p -> sb.append('\n').append(p));
        return sb.toString();
    }
}
