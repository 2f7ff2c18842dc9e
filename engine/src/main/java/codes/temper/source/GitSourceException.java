package codes.temper.source;

import codes.temper.text.Redaction;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The policy remote or the local cache could not deliver a revision (unreachable, refused, ref
 * missing, cache unusable). The current revision stays in force; the message is for operators and
 * carries no credentials: a token put in the URL's user part or query is redacted from it, as JGit
 * repeats the URL in its own messages.
 */
public final class GitSourceException extends Exception {

    public GitSourceException(String message) {
        super(Redaction.text(message));
    }

    public GitSourceException(String message, Throwable cause) {
        super(Redaction.text(message + ": " + describe(cause)), cause);
    }

    /** The distinct messages of a cause chain, outermost first: JGit nests the useful part. */
    static String describe(Throwable t) {
        Set<String> parts = new LinkedHashSet<>();
        for (Throwable c = t; c != null && parts.size() < 4; c = c.getCause()) {
            String m = c.getMessage();
            parts.add(m == null || m.isBlank() ? c.getClass().getSimpleName() : m.strip());
            if (c.getCause() == c) break;
        }
        // JGit often repeats the inner message inside the outer one; drop the repeats.
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (sb.indexOf(p) >= 0) continue;
            if (!sb.isEmpty()) sb.append(": ");
            sb.append(p);
        }
        return Redaction.text(sb.toString());
    }
}
