package codes.temper.source;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import codes.temper.text.Redaction;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.URIish;

/**
 * Where a policy revision comes from: {@code <url>[#<ref>[:<path>]]}.
 *
 * <p>{@code url} is https, http, ssh, file or scp-like ({@code git@host:org/repo.git}); {@code ref}
 * is a branch, a tag, a full ref name or a 40-hex commit (default {@code main}); {@code path} is
 * the subdirectory holding the policy files (default: the repository root). A ref cannot contain
 * ':' (git forbids it), so the first ':' of the fragment ends the ref.
 *
 * @param url  the remote as given, never with a password (refused at parse time)
 * @param ref  as the user wrote it; it is also the first half of the revision string
 * @param path without leading or trailing '/', "" for the root
 */
public record PolicyLocation(String url, String ref, String path) {
    public static final String DEFAULT_REF = "main";
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*)://.*");
    /** scp-like {@code user@host:path}; the user part keeps local paths with ':' from matching. */
    private static final Pattern SCP = Pattern.compile("^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:.+");

    /** Parses a location; the message of the exception names what is wrong and how to write it. */
    public static PolicyLocation parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty policy location; expected <url>[#<ref>[:<path>]]");
        String s = spec.strip();
        String url = s, ref = DEFAULT_REF, path = "";
        int hash = s.indexOf('#');
        if (hash >= 0) {
            url = s.substring(0, hash);
            String fragment = s.substring(hash + 1);
            int colon = fragment.indexOf(':');
            String r = colon < 0 ? fragment : fragment.substring(0, colon);
            if (!r.isEmpty()) ref = r;
            if (colon >= 0) path = normalisePath(fragment.substring(colon + 1));
        }
        URIish uri = uri(url);
        if (!COMMIT.matcher(ref).matches() && !validRef(ref)) {
            throw new IllegalArgumentException("\"" + ref + "\" is not a valid ref; expected a branch, a tag, refs/... or a 40-hex commit id");
        }
        return new PolicyLocation(uri.toString(), ref, path);
    }

    /**
     * Whether a {@code --policies} value names a remote rather than a local directory: it has a
     * URL scheme ({@code https://}, {@code file://}, ...) or is scp-like ({@code git@host:repo}).
     */
    public static boolean looksRemote(String spec) {
        return spec != null && (SCHEME.matcher(spec).matches() || SCP.matcher(spec).matches());
    }

    /** True when the ref is a pinned commit: it never moves, so a cached copy needs no network. */
    public boolean pinned() {
        return COMMIT.matcher(ref).matches();
    }

    /** The JGit form of {@link #url()}. */
    public URIish uri() {
        return uri(url);
    }

    /**
     * The bare cache repository for this remote under {@code root}: readable prefix (host and
     * path) for operators, plus a hash of the URL so two remotes never share a cache.
     */
    public Path cacheDir(Path root) {
        URIish u = uri();
        String readable = ((u.getHost() == null ? "" : u.getHost() + "-") + u.getPath().replaceFirst("^/+", "")).replaceAll("[^A-Za-z0-9._-]+", "_");
        readable = readable.replaceAll("^[_.]+", "");
        if (readable.length() > 60) readable = readable.substring(readable.length() - 60);
        return root.resolve(readable + "-" + sha256(url).substring(0, 12) + ".git");
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/temper/git}. */
    public static Path defaultCacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("temper").resolve("git");
    }

    @Override
    public String toString() {
        return Redaction.text(identity());
    }

    /** The location as given, credentials and all: what ties a last-known-good file to its remote. Never printed. */
    String identity() {
        return url + "#" + ref + (path.isEmpty() ? "" : ":" + path);
    }

    private static URIish uri(String url) {
        if (url.isBlank()) throw new IllegalArgumentException("no repository URL before '#'");
        URIish u;
        try {
            u = new URIish(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a Git URL (expected https://, ssh://, file:// or user@host:path)");
        }
        // The message never repeats the URL: it may hold a secret the user pasted by mistake.
        if (u.getPass() != null) {
            throw new IllegalArgumentException("the URL contains a password; put credentials in a file (--git-credentials) instead");
        }
        String scheme = u.getScheme() == null ? (u.getHost() != null ? "ssh" : null) : u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null) {
            throw new IllegalArgumentException("not a Git URL (expected https://, ssh://, file:// or user@host:path)");
        }
        switch (scheme) {
            case "https", "http", "ssh", "file" -> { }
            default -> throw new IllegalArgumentException("unsupported URL scheme \"" + scheme + "\"; expected https, http, ssh or file");
        }
        if (!scheme.equals("file") && (u.getHost() == null || u.getHost().isEmpty())) {
            throw new IllegalArgumentException("the URL has no host");
        }
        if (u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/")) {
            throw new IllegalArgumentException("the URL names no repository path");
        }
        return u;
    }

    private static boolean validRef(String ref) {
        if (ref.equals("HEAD")) return true;
        return Repository.isValidRefName(ref.startsWith("refs/") ? ref : "refs/heads/" + ref);
    }

    private static String normalisePath(String raw) {
        String p = raw.replaceAll("/+", "/");
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        if (p.equals(".")) return "";
        for (String seg : p.split("/")) {
            if (seg.equals("..") || seg.equals(".")) {
                throw new IllegalArgumentException("path \"" + raw + "\" must be a plain subdirectory of the repository (no '.' or '..')");
            }
        }
        return p;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
