package codes.temper.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Protection of the state-changing requests against cross-site use. The bearer token alone already
 * rules out the classic attack (a browser attaches no token of its own accord), but not once an
 * authenticating proxy in front of the agent adds one, so a change must also pass all of:
 *
 * <ol>
 *   <li>{@code Sec-Fetch-Site}, when the browser sends it, is {@code same-origin};</li>
 *   <li>{@code Origin}, when sent, names this server (the request's {@code Host});</li>
 *   <li>the header {@value #HEADER} carries a token this agent issued: the page has one in its
 *       HTML, a script reads one from {@code GET /csrf-token}. Another site can read neither (the
 *       agent sends no CORS headers), and a form or an image cannot set a header.</li>
 * </ol>
 *
 * Tokens are an HMAC of their issue time under a key drawn at start, valid for {@link #VALIDITY}:
 * nothing is stored per page, and a restart of the agent invalidates them (the page says to reload).
 */
public final class CrossSite {

    public static final String HEADER = "X-Temper-CSRF";
    static final Duration VALIDITY = Duration.ofHours(12);
    private static final Duration SKEW = Duration.ofMinutes(1);
    private static final int MAC_BYTES = 18;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final byte[] key = new byte[32];
    private final Clock clock;

    public CrossSite(Clock clock) {
        new SecureRandom().nextBytes(key);
        this.clock = clock;
    }

    /** A fresh token: {@code <issued, base 36 seconds>.<MAC>}. */
    public String issue() {
        String issued = Long.toString(clock.instant().getEpochSecond(), 36);
        return issued + "." + B64.encodeToString(mac(issued));
    }

    /**
     * @param host the request's {@code Host} header
     * @return why the request is refused, or empty when it passes
     */
    public Optional<String> refusal(String secFetchSite, String origin, String host, String token) {
        return browserRefusal(secFetchSite, origin, host).or(() -> tokenRefusal(token));
    }

    /** What a browser says of the request's origin (points 1 and 2): another site's page made it. */
    public Optional<String> browserRefusal(String secFetchSite, String origin, String host) {
        if (secFetchSite != null && !secFetchSite.equalsIgnoreCase("same-origin")) {
            return Optional.of("cross-site request refused (Sec-Fetch-Site: " + clip(secFetchSite) + ")");
        }
        if (origin != null && !sameAuthority(origin, host)) {
            return Optional.of("cross-site request refused (Origin " + clip(origin) + " is not this server)");
        }
        return Optional.empty();
    }

    /** The header's token (point 3): missing, or not one this agent issued. */
    public Optional<String> tokenRefusal(String token) {
        if (token == null || token.isBlank()) {
            return Optional.of("missing " + HEADER + " header: send the token of the agent's page or of GET /csrf-token");
        }
        if (!valid(token.strip())) {
            return Optional.of(HEADER + " token not issued by this agent or expired (" + VALIDITY.toHours()
                    + " h; a restart of the agent also ends it): reload the page");
        }
        return Optional.empty();
    }

    private boolean valid(String token) {
        int dot = token.indexOf('.');
        if (dot < 1 || dot > 16) return false;
        String issued = token.substring(0, dot);
        long seconds;
        byte[] presented;
        try {
            seconds = Long.parseLong(issued, 36);
            presented = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return false;
        }
        Instant at = Instant.ofEpochSecond(seconds);
        Instant now = clock.instant();
        if (at.isAfter(now.plus(SKEW)) || at.plus(VALIDITY).isBefore(now)) return false;
        return MessageDigest.isEqual(mac(issued), presented);
    }

    /** {@code http://host:port} against the Host header's {@code host:port}; the scheme is the proxy's business. */
    static boolean sameAuthority(String origin, String host) {
        if (host == null || host.isBlank()) return false;
        int scheme = origin.indexOf("://");
        if (scheme < 0) return false; // "null" (a sandboxed frame, a file) is never this server
        String authority = origin.substring(scheme + 3);
        if (authority.endsWith("/")) authority = authority.substring(0, authority.length() - 1);
        return authority.toLowerCase(Locale.ROOT).equals(host.strip().toLowerCase(Locale.ROOT));
    }

    private byte[] mac(String issued) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] full = m.doFinal(("temper-csrf:" + issued).getBytes(StandardCharsets.UTF_8));
            return java.util.Arrays.copyOf(full, MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static String clip(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return codes.temper.text.Printable.escape(t);
    }
}
