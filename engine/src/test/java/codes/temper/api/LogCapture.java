package codes.temper.api;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Everything the process logs while a test runs: temper's own System.Logger records (the JDK
 * routes them to java.util.logging) at every level, the libraries' slf4j records (slf4j-jdk14
 * routes them there too) at the levels configured, and whatever else reaches stderr. Only
 * temper's loggers are opened up to every level: Jetty's debug output is not the agent's log.
 */
final class LogCapture implements AutoCloseable {

    private final List<LogRecord> records = new ArrayList<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Logger root = Logger.getLogger("");
    private final Logger temper = Logger.getLogger("codes.temper");
    private final Level temperLevel = temper.getLevel();
    private final PrintStream originalErr = System.err;
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (records) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture() {
        handler.setLevel(Level.ALL);
        temper.setLevel(Level.ALL);
        root.addHandler(handler);
        System.setErr(new PrintStream(new Tee(originalErr, stderr), true, StandardCharsets.UTF_8));
    }

    /** Messages logged to {@code logger}, in order. */
    List<String> messages(String logger) {
        synchronized (records) {
            return records.stream().filter(r -> logger.equals(r.getLoggerName())).map(LogRecord::getMessage).toList();
        }
    }

    /** Every logged message and thrown exception, and all of stderr, as one text. */
    String everything() {
        var sb = new StringBuilder();
        synchronized (records) {
            for (LogRecord r : records) {
                sb.append(r.getLoggerName()).append(' ').append(r.getMessage()).append('\n');
                if (r.getThrown() != null) {
                    sb.append(r.getThrown()).append('\n');
                }
            }
        }
        return sb.append(stderr.toString(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        temper.setLevel(temperLevel);
        System.setErr(originalErr);
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
