package codes.temper.log;

import java.io.PrintStream;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * The process's one log handler: each record as one line on standard error, written and flushed
 * whole under a lock, so lines from concurrent threads never interleave and nothing is lost when
 * the process is killed right after. Configured from java.util.logging's properties
 * ({@code codes.temper.log.LineHandler.format} = text|json, {@code .stackTraces} = true|false),
 * which {@link Logging} writes. Standard error is looked up for each record, so a test that
 * replaces it sees the lines.
 */
public final class LineHandler extends Handler {

    public LineHandler() {
        LogManager m = LogManager.getLogManager();
        String prefix = LineHandler.class.getName();
        Logging.Format format = "json".equalsIgnoreCase(m.getProperty(prefix + ".format")) ? Logging.Format.JSON : Logging.Format.TEXT;
        setFormatter(new LogLines(format, Boolean.parseBoolean(m.getProperty(prefix + ".stackTraces"))));
        // The loggers' levels decide what is logged; the handler writes whatever reaches it.
        setLevel(java.util.logging.Level.ALL);
    }

    @Override
    public void publish(LogRecord r) {
        if (r == null || !isLoggable(r)) return;
        String line;
        try {
            line = getFormatter().format(r);
        } catch (RuntimeException e) {
            reportError("formatting a log record failed", e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        PrintStream err = System.err;
        synchronized (this) {
            err.print(line);
            err.flush();
        }
    }

    @Override
    public void flush() {
        System.err.flush();
    }

    /**
     * Flushes only: closing would close standard error itself, and java.util.logging closes its
     * handlers on every reconfiguration (and, but for {@code ShutdownLogManager}, at exit).
     */
    @Override
    public void close() {
        flush();
    }
}
