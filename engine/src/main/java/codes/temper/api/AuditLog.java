package codes.temper.api;

import codes.temper.api.AuditEntry.Outcome;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Append-only record of who asked the agent to do what. Each entry goes to a bounded in-memory
 * ring (for {@code GET /audit}), as one JSON line to the logger {@value #LOGGER} (so it lands in
 * the pod log, which outlives the agent), and, when a file is given, to that file.
 */
public final class AuditLog {

    public static final String LOGGER = "codes.temper.audit";
    public static final int DEFAULT_CAPACITY = 1000;

    private static final Logger AUDIT = System.getLogger(LOGGER);
    private static final Logger LOG = System.getLogger(AuditLog.class.getName());

    private final int capacity;
    private final Path file;
    private final Clock clock;
    private final ArrayDeque<AuditEntry> ring;
    private final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);

    AuditLog(int capacity, Path file, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("audit capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.file = file;
        this.clock = clock;
        this.ring = new ArrayDeque<>(capacity);
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0L);
        }
    }

    public static AuditLog inMemory() {
        return new AuditLog(DEFAULT_CAPACITY, null, Clock.systemUTC());
    }

    /**
     * Also appends to {@code file}, creating its parent directories. Fails now, naming the file,
     * rather than at the first audited request.
     */
    public static AuditLog appendingTo(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, "", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IOException("audit file " + file + ": cannot append (" + e.getMessage() + ")", e);
        }
        return new AuditLog(DEFAULT_CAPACITY, file, Clock.systemUTC());
    }

    public AuditEntry record(String actor, String remote, String action, Outcome outcome, String detail) {
        var entry = new AuditEntry(clock.instant(), actor, remote, action, outcome, detail);
        String line = ApiJson.MAPPER.writeValueAsString(entry);
        // One lock for ring, counters and file so the three agree on order.
        synchronized (this) {
            if (ring.size() == capacity) {
                ring.removeFirst();
            }
            ring.addLast(entry);
            counts.merge(outcome, 1L, Long::sum);
            AUDIT.log(Level.INFO, line);
            appendToFile(line);
        }
        return entry;
    }

    /** Up to {@code n} most recent entries, oldest first (newest last). */
    public synchronized List<AuditEntry> recent(int n) {
        var all = new ArrayList<>(ring);
        return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
    }

    public synchronized long count(Outcome outcome) {
        return counts.get(outcome);
    }

    private void appendToFile(String line) {
        if (file == null) {
            return;
        }
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // The entry is in the pod log and the ring already; refusing the request instead would
            // block safe mode, which must always be possible.
            LOG.log(Level.WARNING, "audit file " + file + ": append failed: " + e.getMessage());
        }
    }
}
