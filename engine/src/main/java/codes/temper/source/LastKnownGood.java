package codes.temper.source;

import codes.temper.policy.PolicyFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * The last good revision on local disk, one JSON file (file contents base64), so an agent that
 * restarts while the remote is down comes up on it. Written atomically: a temporary file in the
 * same directory, fsync, then an atomic rename over the old one (and an fsync of the directory),
 * so a crash leaves either the old file or the new one, never a torn one.
 */
public final class LastKnownGood {
    static final int FORMAT = 1;
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The file's shape. {@code location} ties it to the remote it came from. */
    record Stored(int format, String location, String revision, String commit, String fetchedAt, List<StoredFile> files) {
    }

    record StoredFile(String name, byte[] content) {
    }

    /** What was on disk: the revision's data, to be parsed and checked again by the caller. */
    public record Entry(String revision, String commit, Instant fetchedAt, List<PolicyFile> files) {
    }

    private final Path file;
    private final String location;

    public LastKnownGood(Path file, PolicyLocation location) {
        this.file = file;
        this.location = location.identity();
    }

    public Path file() {
        return file;
    }

    public void save(AppliedRevision r) throws IOException {
        Stored s = new Stored(FORMAT, location, r.revision(), r.commit(), r.fetchedAt().toString(),
                r.files().stream().map(f -> new StoredFile(f.name(), f.content())).toList());
        byte[] bytes = JSON.writeValueAsBytes(s);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                var buf = java.nio.ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically; last-known-good not saved", e);
            }
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads the file. Empty when there is none; an exception whose message says what is wrong
     * when it is unreadable, corrupt or from another location (the caller reports and ignores it).
     */
    public java.util.Optional<Entry> load() throws IOException {
        if (!Files.exists(file)) return java.util.Optional.empty();
        Stored s;
        try {
            s = JSON.readValue(Files.readAllBytes(file), Stored.class);
        } catch (RuntimeException e) {
            throw new IOException(file + ": corrupt last-known-good file: " + GitSourceException.describe(e));
        }
        if (s == null || s.format() != FORMAT) throw new IOException(file + ": unknown last-known-good format");
        if (!location.equals(s.location())) {
            throw new IOException(file + ": last-known-good is from " + s.location() + ", not " + location);
        }
        if (s.commit() == null || !COMMIT.matcher(s.commit()).matches() || s.revision() == null
                || !s.revision().endsWith("@sha1:" + s.commit()) || s.files() == null || s.fetchedAt() == null) {
            throw new IOException(file + ": corrupt last-known-good file: missing or inconsistent fields");
        }
        Instant at;
        try {
            at = Instant.parse(s.fetchedAt());
        } catch (RuntimeException e) {
            throw new IOException(file + ": corrupt last-known-good file: bad fetchedAt");
        }
        List<PolicyFile> files = new java.util.ArrayList<>();
        for (StoredFile f : s.files()) {
            if (f == null || f.name() == null || f.content() == null) throw new IOException(file + ": corrupt last-known-good file: a file entry is incomplete");
            files.add(new PolicyFile(f.name(), f.content()));
        }
        return java.util.Optional.of(new Entry(s.revision(), s.commit(), at, files));
    }

    private static void fsyncDirectory(Path dir) {
        // Makes the rename durable on Linux; some platforms cannot open a directory, which is fine.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }
}
