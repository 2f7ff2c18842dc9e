package codes.temper.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place secrets are taken out of text bound for a log, a message, the status or an Event.
 * A Git URL may carry a token where a user name goes ({@code https://TOKEN@host/repo.git}) or in
 * its query ({@code ?private_token=...}); JGit and the JDK repeat the URL in their exceptions, so
 * every boundary passes its text through {@link #text}, not only the places that print the URL.
 * An scp-like or {@code ssh://} user ({@code git@host}) is an account name, not a secret, and is kept.
 */
public final class Redaction {

    public static final String MASK = "***";

    // scheme://[userinfo@]rest-of-authority-and-path[?query][#fragment], up to whitespace or a quote.
    private static final Pattern URL = Pattern.compile(
            "\\b([A-Za-z][A-Za-z0-9+.-]*)://(?:([^/?#\\s\"'<>@]*)@)?([^?#\\s\"'<>]*)(\\?[^#\\s\"'<>]*)?");

    private Redaction() {
    }

    /** {@code text} with the user part and the query of every URL in it masked; null stays null. */
    public static String text(String text) {
        if (text == null || text.indexOf("://") < 0) return text;
        Matcher m = URL.matcher(text);
        StringBuilder b = new StringBuilder(text.length());
        while (m.find()) {
            String scheme = m.group(1), user = m.group(2), rest = m.group(3), query = m.group(4);
            boolean sshUser = scheme.equalsIgnoreCase("ssh") && user != null && !user.contains(":");
            String replacement = scheme + "://" + (user == null ? "" : (sshUser ? user : MASK) + "@") + rest
                    + (query == null ? "" : "?" + MASK);
            m.appendReplacement(b, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(b);
        return b.toString();
    }
}
