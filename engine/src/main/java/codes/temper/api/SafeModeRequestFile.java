package codes.temper.api;

import codes.temper.reconcile.SafeModeControl;
import codes.temper.text.Printable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The safe-mode request made through {@code POST /safe-mode}, kept on the node so it outlives the
 * agent: without it a {@code kill -9} and restart re-attached a node an operator had stood down.
 * Written whole (temporary file, fsync, atomic rename), so a crash leaves the old file or the new,
 * never half of one. A file that cannot be read back counts as a request (fail-safe): the node
 * stays on CFS until someone withdraws it through the API, which rewrites the file.
 */
public final class SafeModeRequestFile {

    private static final Logger LOG = System.getLogger(SafeModeRequestFile.class.getName());
    private static final int FORMAT = 1;
    private static final long MAX_BYTES = 64 * 1024;

    /** The file's shape. */
    record Stored(int format, boolean enabled, String actor, String reason, Instant time) {
    }

    private final Path file;
    private final Clock clock;

    public SafeModeRequestFile(Path file) {
        this.file = file;
        this.clock = Clock.systemUTC();
    }

    public Path file() {
        return file;
    }

    /**
     * Why the node must start in safe mode, or empty when no request stands: the stored request's
     * actor and reason, or why the file cannot be read.
     */
    public Optional<String> restore() {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) return Optional.of(unreadable("larger than " + MAX_BYTES + " bytes"));
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(unreadable(e.getMessage()));
        }
        Stored s;
        try {
            s = ApiJson.MAPPER.readValue(bytes, Stored.class);
        } catch (RuntimeException e) {
            return Optional.of(unreadable("not a request this agent wrote"));
        }
        if (s == null || s.format() != FORMAT || s.actor() == null || s.time() == null) {
            return Optional.of(unreadable("not a request this agent wrote"));
        }
        if (!s.enabled()) return Optional.empty();
        return Optional.of(s.actor() + (s.reason() == null || s.reason().isBlank() ? "" : ": " + s.reason())
                + " (restored from " + file + ", requested " + s.time() + ")");
    }

    /**
     * Wraps the reconciler's switch so the file follows it. Asking for safe mode stands the node
     * down first and then records it: entering safe mode must succeed even if the disk does not.
     * Withdrawing records first: if that fails the request stands (and the caller is told).
     */
    public SafeModeControl persisting(SafeModeControl control) {
        return (on, actor, reason) -> {
            if (on) {
                boolean settled = control.requestSafeMode(true, actor, reason);
                try {
                    save(true, actor, reason);
                } catch (UncheckedIOException e) {
                    LOG.log(Level.ERROR, "safe mode is on, but the request could not be saved to {0} ({1}); a restart would not restore it",
                            file, e.getCause().getMessage());
                }
                return settled;
            }
            save(false, actor, reason);
            return control.requestSafeMode(false, actor, reason);
        };
    }

    void save(boolean on, String actor, String reason) {
        byte[] json = ApiJson.MAPPER.writeValueAsBytes(new Stored(FORMAT, on, actor, reason, clock.instant()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(json));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the safe-mode request to " + file, e);
        }
    }

    private String unreadable(String why) {
        String text = "the saved request " + file + " cannot be read (" + Printable.escape(why)
                + "); taken as a request, withdraw it with POST /safe-mode {\"enabled\": false, \"reason\": \"...\"}";
        LOG.log(Level.WARNING, text);
        return text;
    }
}
