package codes.temper.controller;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A label selector as {@code kubectl get nodes -l} takes it ({@code pool=gpu,zone in (a,b),!spot}),
 * read into the API's form. Every requirement becomes a matchExpression (equality is {@code In}
 * with one value), so two requirements on one key stay two, as kubectl means them. Anything this
 * does not understand is refused with what and where, never guessed at: a toggle for a selector
 * typed wrong must not stand down a different set of nodes.
 */
final class SelectorText {

    static final int MAX_LENGTH = 1000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private SelectorText() {}

    /** @throws IllegalArgumentException saying what is wrong, quoting at most a short piece of the input */
    static LabelSelector parse(String text) {
        if (text.length() > MAX_LENGTH) throw new IllegalArgumentException("selector longer than " + MAX_LENGTH + " characters");
        List<LabelSelectorRequirement> out = new ArrayList<>();
        for (String part : split(text)) {
            out.add(requirement(part.strip()));
        }
        LabelSelector s = new LabelSelector();
        s.setMatchExpressions(out);
        return s;
    }

    /** Splits at the commas outside parentheses. */
    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            if (depth < 0 || depth > 1) throw new IllegalArgumentException("unbalanced parentheses in the selector");
            if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) throw new IllegalArgumentException("unbalanced parentheses in the selector");
        parts.add(text.substring(start));
        if (parts.size() == 1 && parts.getFirst().isBlank()) return List.of();
        for (String p : parts) {
            if (p.isBlank()) throw new IllegalArgumentException("empty requirement in the selector (two commas, or one at an end)");
        }
        return parts;
    }

    private static LabelSelectorRequirement requirement(String p) {
        var set = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(p);
        if (set.matches()) {
            List<String> values = new ArrayList<>();
            for (String v : set.group(3).split(",", -1)) values.add(value(v.strip()));
            return of(key(set.group(1)), set.group(2).equals("in") ? "In" : "NotIn", values);
        }
        int ne = p.indexOf("!=");
        if (ne > 0) return of(key(p.substring(0, ne).strip()), "NotIn", List.of(value(p.substring(ne + 2).strip())));
        int eq = p.indexOf('=');
        if (eq > 0) {
            String v = p.substring(p.startsWith("==", eq) ? eq + 2 : eq + 1).strip();
            return of(key(p.substring(0, eq).strip()), "In", List.of(value(v)));
        }
        if (p.startsWith("!")) return of(key(p.substring(1).strip()), "DoesNotExist", List.of());
        return of(key(p), "Exists", List.of());
    }

    private static LabelSelectorRequirement of(String key, String operator, List<String> values) {
        return new LabelSelectorRequirement(key, operator, values);
    }

    /** A label key: an optional DNS-subdomain prefix and a slash, then a name of at most 63 characters. */
    static String key(String k) {
        int slash = k.lastIndexOf('/');
        String prefix = slash < 0 ? null : k.substring(0, slash);
        String name = slash < 0 ? k : k.substring(slash + 1);
        boolean ok = name.length() <= 63 && NAME.matcher(name).matches()
                && (prefix == null || prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches());
        if (!ok) throw new IllegalArgumentException("not a label key: \"" + clip(k) + "\" (expected [prefix/]name, e.g. pool or topology.kubernetes.io/zone)");
        return k;
    }

    static String value(String v) {
        if (v.isEmpty() || v.length() <= 63 && NAME.matcher(v).matches()) return v;
        throw new IllegalArgumentException("not a label value: \"" + clip(v) + "\" (at most 63 letters, digits, '-', '_' or '.')");
    }

    private static String clip(String s) {
        return codes.temper.text.Printable.escape(s.length() > 60 ? s.substring(0, 60) + "..." : s);
    }
}
