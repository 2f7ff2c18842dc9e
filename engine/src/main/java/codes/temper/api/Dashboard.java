package codes.temper.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's page (one self-contained HTML file served by the agent, no external fetches, no
 * CDN) and the Content-Security-Policy that lets exactly its inline script and style run: they
 * are allowed by SHA-256 hash, computed here from the file, so editing the page cannot
 * desynchronise the policy and nothing injected into the page could run. Trusted Types are
 * required with no policy, so even the page's own code cannot hand a string to an HTML sink
 * ({@code innerHTML} and the like throw): data is only ever written as text.
 *
 * <p>The page carries its cross-site token ({@link CrossSite}) in a meta element filled in per
 * response; that is outside the hashed script, so the policy stays the same.
 */
final class Dashboard {

    static final String RESOURCE = "dashboard.html";
    static final String CSRF_SLOT = "{{csrf-token}}";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);
    private static final Pattern INCLUDE = Pattern.compile("\\{\\{include:([a-z0-9-]+\\.(?:css|js|html))\\}\\}");

    private final String before;
    private final String after;
    private final String contentSecurityPolicy;

    private Dashboard(String resource, String html) {
        int slot = html.indexOf(CSRF_SLOT);
        if (slot < 0 || html.indexOf(CSRF_SLOT, slot + 1) >= 0) {
            throw new IllegalStateException(resource + " must hold " + CSRF_SLOT + " exactly once");
        }
        this.before = html.substring(0, slot);
        this.after = html.substring(slot + CSRF_SLOT.length());
        this.contentSecurityPolicy = "default-src 'self'"
                + "; script-src" + hashes(SCRIPT, html)
                + "; style-src" + hashes(STYLE, html)
                + "; connect-src 'self'; img-src 'self'"
                + "; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
                + "; require-trusted-types-for 'script'; trusted-types 'none'";
    }

    /** The agent's page. */
    static Dashboard load() {
        return load(RESOURCE);
    }

    /** A page beside this class in the jar ({@code fleet.html}: the controller's fleet page), held to the same rules. */
    static Dashboard load(String resource) {
        try (InputStream in = Dashboard.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("page resource missing from the jar: codes/temper/api/" + resource);
            }
            return new Dashboard(resource, expand(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Inlines each {@code {{include:NAME}}} with the resource NAME beside this class (the pages'
     * shared style, sign-in markup and script helpers), before the hashes are computed: the
     * pages stay self-contained with one inline script and style each, so the CSP does not change.
     */
    static String expand(String html) {
        Matcher m = INCLUDE.matcher(html);
        StringBuilder out = new StringBuilder(html.length() * 2);
        while (m.find()) {
            try (InputStream in = Dashboard.class.getResourceAsStream(m.group(1))) {
                if (in == null) throw new IllegalStateException("included page part missing from the jar: codes/temper/api/" + m.group(1));
                String part = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                m.appendReplacement(out, Matcher.quoteReplacement(part));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        m.appendTail(out);
        return out.toString();
    }

    /** @param csrfToken this page's cross-site token (URL-safe base 64 and a dot: nothing to escape) */
    String html(String csrfToken) {
        if (!csrfToken.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("not a token");
        return before + csrfToken + after;
    }

    /** Sent on every response: the API's JSON and text need none of what it allows. */
    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    private static String hashes(Pattern element, String html) {
        List<String> out = new ArrayList<>();
        Matcher m = element.matcher(html);
        while (m.find()) {
            out.add(" 'sha256-" + Base64.getEncoder().encodeToString(sha256(m.group(1))) + "'");
        }
        return String.join("", out);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
