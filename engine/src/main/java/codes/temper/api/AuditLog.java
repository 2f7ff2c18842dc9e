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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Append-only record of who asked the agent to do what. Each entry goes to a bounded in-memory
 * ring (for {@code GET /audit}), as one JSON line to the logger {@value #LOGGER} (so it lands in
 * the pod log, which outlives the agent), and, when a file is given, to that file.
 *
 * <p>Refusals (no or a wrong token, a cross-site request, a user without the permission) are kept
 * apart from everything else: anyone who can reach the port can cause them, so they have their own small ring and are written out one by one only up
 * to {@value #REFUSALS_PER_WINDOW} per minute; past that they are counted and summarised in one
 * entry when the minute ends. A flood of anonymous requests can therefore never push a safe-mode
 * change out of the trail, nor fill the log or the file.
 */
public final class AuditLog {

    public static final String LOGGER = "codes.temper.audit";
    public static final int DEFAULT_CAPACITY = 1000;
    static final int REFUSAL_CAPACITY = 100;
    static final int REFUSALS_PER_WINDOW = 30;
    static final Duration REFUSAL_WINDOW = Duration.ofMinutes(1);
    static final String SUPPRESSED = "refusals.suppressed";
    /** Bytes of an existing file read back at start, and the size past which it is compacted. */
    static final int MAX_READ_BACK = 2 << 20;
    static final long MAX_KEPT = 8 << 20;

    private static final Logger AUDIT = System.getLogger(LOGGER);
    private static final Logger LOG = System.getLogger(AuditLog.class.getName());

    /** An entry and its place in the order of recording, so the two rings merge back in order. */
    private record Numbered(long seq, AuditEntry entry) {
    }

    private final int capacity;
    private final Path file;
    private final Clock clock;
    private final ArrayDeque<Numbered> changes;
    private final ArrayDeque<Numbered> refusals = new ArrayDeque<>(REFUSAL_CAPACITY);
    private final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);
    private final List<java.util.function.Consumer<AuditEntry>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long seq;
    private Instant windowStart = Instant.MIN;
    private int windowRefusals;
    private long suppressed;

    AuditLog(int capacity, Path file, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("audit capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.file = file;
        this.clock = clock;
        this.changes = new ArrayDeque<>(capacity);
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0L);
        }
    }

    public static AuditLog inMemory() {
        return new AuditLog(DEFAULT_CAPACITY, null, Clock.systemUTC());
    }

    /**
     * Also appends to {@code file}, creating its parent directories, and starts from the entries
     * already in it (the trail of earlier runs on this node, read back up to {@value #MAX_READ_BACK}
     * bytes from its end). Fails now, naming the file, rather than at the first audited request.
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
        var log = new AuditLog(DEFAULT_CAPACITY, file, Clock.systemUTC());
        log.readBack();
        return log;
    }

    /** Entries of earlier runs into the rings (not logged or appended again); unreadable lines are skipped and counted. */
    private synchronized void readBack() throws IOException {
        long size = Files.size(file);
        byte[] tail;
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            long from = Math.max(0, size - MAX_READ_BACK);
            var buf = java.nio.ByteBuffer.allocate((int) (size - from));
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) >= 0) {
                // reads until the buffer is full or the file ends
            }
            tail = java.util.Arrays.copyOf(buf.array(), buf.position());
        }
        List<String> lines = new ArrayList<>(new String(tail, StandardCharsets.UTF_8).lines().toList());
        if (size > MAX_READ_BACK && !lines.isEmpty()) lines.removeFirst(); // the cut-off start of a line
        int bad = 0;
        for (String line : lines) {
            if (line.isBlank()) continue;
            try {
                AuditEntry e = ApiJson.MAPPER.readValue(line, AuditEntry.class);
                ArrayDeque<Numbered> ring = e.outcome().refusal() ? refusals : changes;
                if (ring.size() == (ring == refusals ? REFUSAL_CAPACITY : capacity)) ring.removeFirst();
                ring.addLast(new Numbered(seq++, e));
            } catch (RuntimeException e) {
                bad++;
            }
        }
        if (tail.length > 0 && tail[tail.length - 1] != '\n') {
            // A crash mid-write left a partial line: end it, so the next entry starts a line of its own.
            Files.writeString(file, "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        if (bad > 0) {
            LOG.log(Level.WARNING, "audit file " + file + ": " + bad + " line(s) unreadable (a crash mid-write or an edit), skipped");
        }
        if (size > MAX_KEPT) compact();
    }

    /** Rewrites an overgrown file with what the rings hold, whole (temporary file, atomic rename). */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder b = new StringBuilder();
        recent(capacity + REFUSAL_CAPACITY).forEach(e -> b.append(ApiJson.MAPPER.writeValueAsString(e)).append('\n'));
        Files.writeString(tmp, b, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Called with every entry that is not a refusal, after it is written (the agent turns an
     * allowed change into an Event on its Node). Runs on the recording thread, outside the lock.
     */
    public void onRecorded(java.util.function.Consumer<AuditEntry> listener) {
        listeners.add(listener);
    }

    public AuditEntry record(String actor, String remote, String action, Outcome outcome, String detail) {
        var entry = new AuditEntry(clock.instant(), actor, remote, action, outcome, detail);
        // One lock for rings, counters and file so they agree on order.
        synchronized (this) {
            counts.merge(outcome, 1L, Long::sum);
            if (outcome.refusal()) {
                rollWindow(entry.time());
                if (++windowRefusals > REFUSALS_PER_WINDOW) {
                    suppressed++;
                    return entry;
                }
            }
            keep(entry);
        }
        if (!outcome.refusal()) {
            for (var l : listeners) {
                try {
                    l.accept(entry);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "audit listener failed", e);
                }
            }
        }
        return entry;
    }

    /** Up to {@code n} most recent entries, oldest first (newest last). */
    public synchronized List<AuditEntry> recent(int n) {
        rollWindow(clock.instant());
        List<Numbered> all = new ArrayList<>(changes.size() + refusals.size());
        all.addAll(changes);
        all.addAll(refusals);
        all.sort(Comparator.comparingLong(Numbered::seq));
        return all.subList(Math.max(0, all.size() - n), all.size()).stream().map(Numbered::entry).toList();
    }

    public synchronized long count(Outcome outcome) {
        return counts.get(outcome);
    }

    /** Ends the refusal window once it is over, recording how many refusals it did not write out. */
    private void rollWindow(Instant now) {
        if (now.isBefore(windowStart.plus(REFUSAL_WINDOW)) && !windowStart.equals(Instant.MIN)) return;
        if (suppressed > 0) {
            keep(new AuditEntry(now, "anonymous", "-", SUPPRESSED, Outcome.REFUSED,
                    suppressed + " further refusal(s) in the minute from " + windowStart + " were counted but not recorded one by one"));
        }
        windowStart = now;
        windowRefusals = 0;
        suppressed = 0;
    }

    private void keep(AuditEntry entry) {
        ArrayDeque<Numbered> ring = entry.outcome().refusal() ? refusals : changes;
        if (ring.size() == (ring == refusals ? REFUSAL_CAPACITY : capacity)) {
            ring.removeFirst();
        }
        ring.addLast(new Numbered(seq++, entry));
        String line = ApiJson.MAPPER.writeValueAsString(entry);
        AUDIT.log(Level.INFO, line);
        appendToFile(line);
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
