package codes.temper.text;

/**
 * Makes untrusted text safe to print on one line of a terminal or a log: control characters (C0,
 * DEL, C1), line and paragraph separators and the bidirectional overrides are written as escapes,
 * so a policy value or a request field cannot start a forged line ({@code \n}), move the cursor or
 * recolour the screen (ANSI {@code ESC [}), or reorder what is shown (Trojan Source). Everything
 * else, non-ASCII letters included, is left as it is.
 */
public final class Printable {

    private Printable() {
    }

    /** {@code s} with every unsafe character escaped; null stays null. */
    public static String escape(String s) {
        if (s == null) return null;
        int i = 0;
        while (i < s.length() && !unsafe(s.charAt(i))) i++;
        if (i == s.length()) return s;
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!unsafe(c)) {
                b.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
