package codes.temper.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The agent's log during the soak: written to a file rather than the console (the dry run logs
 * every apply at WARNING), and lines at WARNING and above counted by logger, for the summary.
 */
final class SoakLog extends Handler {
    private final Path file;
    private final PrintWriter out;
    private final SimpleFormatter format = new SimpleFormatter();
    private final Map<String, AtomicLong> warnings = new ConcurrentHashMap<>();
    // Lines carrying a stack trace: the agent logs one only for what it did not expect.
    private final List<String> thrown = new ArrayList<>();

    private SoakLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true);
    }

    static SoakLog install(Path file) throws IOException {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        SoakLog h = new SoakLog(file);
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler old : root.getHandlers()) root.removeHandler(old);
        root.addHandler(h);
        return h;
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void publish(LogRecord r) {
        out.print(format.format(r));
        if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            String name = r.getLoggerName() == null ? "?" : r.getLoggerName().replaceFirst("^codes\\.temper\\.", "");
            warnings.computeIfAbsent(r.getLevel() + " " + name, k -> new AtomicLong()).incrementAndGet();
        }
        if (r.getThrown() != null && thrown.size() < 5) thrown.add(r.getLoggerName() + ": " + r.getThrown());
    }

    /** The first few lines logged with a stack trace (none expected). */
    synchronized List<String> thrown() {
        return List.copyOf(thrown);
    }

    String summary() {
        Map<String, Long> sorted = new TreeMap<>();
        warnings.forEach((k, v) -> sorted.put(k, v.get()));
        return sorted.isEmpty() ? "none" : sorted.toString();
    }

    /** "n=40 p50=12 p90=80 max=310" of a list of milliseconds. */
    static String spread(List<Long> values) {
        List<Long> v;
        synchronized (values) {
            v = new ArrayList<>(values);
        }
        if (v.isEmpty()) return "n=0";
        v.sort(null);
        return "n=" + v.size() + " p50=" + v.get(v.size() / 2) + " p90=" + v.get(Math.min(v.size() - 1, v.size() * 9 / 10))
                + " max=" + v.getLast();
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.close();
    }
}
