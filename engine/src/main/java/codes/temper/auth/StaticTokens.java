package codes.temper.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The static token file ({@code --api-tokens}): bearer tokens for standalone use, and a break-glass
 * path in a cluster that works while the API server is away. Only the SHA-256 digests of the
 * tokens are kept: comparing digests with {@link MessageDigest#isEqual} takes the same time
 * whatever the presented token's length or content, and a heap dump holds no usable token.
 * With no token configured every token is refused (fail closed): an agent that can take a
 * node's scheduler down must not do so for anyone who can reach its port.
 */
public final class StaticTokens implements Authenticator {

    /** The group every static token's user is in. */
    public static final String GROUP = "temper:static-tokens";

    /** Shorter tokens are refused at load: the API is reachable from the whole pod network. */
    static final int MIN_TOKEN_LENGTH = 16;

    private final List<byte[]> digests;
    private final String source;

    private StaticTokens(List<byte[]> digests, String source) {
        this.digests = List.copyOf(digests);
        this.source = source;
    }

    /** No token configured: every token is refused. */
    public static StaticTokens none() {
        return new StaticTokens(List.of(), "none");
    }

    /** Tokens given directly (tests, or a caller that read them elsewhere). */
    public static StaticTokens ofTokens(Collection<String> tokens) {
        List<byte[]> digests = new ArrayList<>();
        for (String t : tokens) {
            if (t.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException("API token shorter than " + MIN_TOKEN_LENGTH + " characters");
            }
            digests.add(sha256(t));
        }
        return new StaticTokens(digests, "tokens");
    }

    /**
     * Reads one token per line; blank lines and lines starting with {@code #} are skipped, spaces
     * around a token are trimmed (a Secret written with {@code echo} ends in a newline).
     *
     * @throws IOException naming the file when it is missing, unreadable, holds no token or a
     *                     token too short; never quoting a token
     */
    public static StaticTokens fromFile(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("API token file " + file + ": not found", e);
        } catch (IOException e) {
            throw new IOException("API token file " + file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            if (t.length() < MIN_TOKEN_LENGTH || t.chars().anyMatch(Character::isWhitespace)) {
                throw new IOException("API token file " + file + ":" + (i + 1) + ": a token must be at least "
                        + MIN_TOKEN_LENGTH + " characters without spaces");
            }
            digests.add(sha256(t));
        }
        if (digests.isEmpty()) {
            throw new IOException("API token file " + file + ": no token in it (one per line, # for comments)");
        }
        return new StaticTokens(digests, file.toString());
    }

    public boolean configured() {
        return !digests.isEmpty();
    }

    @Override
    public Authentication authenticate(String token) {
        if (digests.isEmpty()) {
            return new Unauthenticated("no API token is configured on this agent, so authenticated requests are refused");
        }
        byte[] presented = sha256(token.strip());
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, presented); // no early exit: time does not tell which token
        }
        return match ? new Authenticated(new User(actorOf(presented), "", List.of(GROUP), User.Source.STATIC_TOKEN))
                : new Unauthenticated("invalid token");
    }

    /** The principal recorded in the audit log: names the token without revealing it. */
    public static String actorOf(String token) {
        return actorOf(sha256(token));
    }

    private static String actorOf(byte[] digest) {
        return "token:" + HexFormat.of().formatHex(digest, 0, 4);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "StaticTokens[" + digests.size() + " token(s) from " + source + "]";
    }
}
