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
 * The dashboard page (one self-contained HTML file, no external fetches) and the
 * Content-Security-Policy that lets exactly its inline script and style run: they are allowed by
 * SHA-256 hash, computed here from the file, so editing the page cannot desynchronise the policy
 * and nothing injected into the page could run.
 */
final class Dashboard {

    static final String RESOURCE = "dashboard.html";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);

    private final String html;
    private final String contentSecurityPolicy;

    private Dashboard(String html) {
        this.html = html;
        this.contentSecurityPolicy = "default-src 'self'"
                + "; script-src 'self'" + hashes(SCRIPT, html)
                + "; style-src 'self'" + hashes(STYLE, html)
                + "; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    static Dashboard load() {
        try (InputStream in = Dashboard.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource missing from the jar: codes/temper/api/" + RESOURCE);
            }
            return new Dashboard(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String html() {
        return html;
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
