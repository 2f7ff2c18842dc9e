package codes.temper.log;

import codes.temper.text.Printable;
import codes.temper.text.Redaction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One log record as one line: {@code text} for people ({@code 2026-11-30T09:21:01.123Z INFO
 * codes.temper.cli.Agent: message}) or {@code json} for log pipelines ({@code {"time": ...,
 * "level": ..., "logger": ..., "message": ..., "thread": ..., "exception": ...}}). Log shippers
 * (Fluent Bit, Vector, Promtail) cut container output at newlines, so a record must never span two
 * lines: in text, line breaks and other control characters in a message are escaped and an
 * exception is summarised on the same line (its stack trace follows only when asked for, at
 * debug); in JSON, the stack trace is one string field. Every message and exception passes
 * {@link Redaction} on the way out, so a library that logs a Git URL with a token in it (JGit,
 * the JDK's HTTP client) cannot leak it either.
 */
public final class LogLines extends Formatter {

    /** ISO-8601 in UTC with milliseconds, always the same width (ISO_INSTANT drops a zero fraction). */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private final Logging.Format format;
    private final boolean stackTraces;

    /**
     * @param stackTraces text only: also print an exception's stack trace, on the lines after the
     *                    record's (the agent does so at --log-level debug or trace)
     */
    public LogLines(Logging.Format format, boolean stackTraces) {
        this.format = format;
        this.stackTraces = stackTraces;
    }

    @Override
    public String format(LogRecord r) {
        String time = TIME.format(r.getInstant());
        String level = levelName(r.getLevel());
        String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
        // formatMessage applies the {0} parameters of System.Logger and JUL calls (slf4j formats its own).
        String message = Redaction.text(formatMessage(r));
        Throwable thrown = r.getThrown();
        return switch (format) {
            case JSON -> json(time, level, logger, message, thrown);
            case TEXT -> text(time, level, logger, message, thrown);
        };
    }

    private String text(String time, String level, String logger, String message, Throwable thrown) {
        // Upper case and padded, so the messages of a terminal's column of lines line up.
        StringBuilder b = new StringBuilder(128).append(time).append(' ').append(level.toUpperCase(java.util.Locale.ROOT));
        for (int i = level.length(); i < 5; i++) b.append(' ');
        b.append(' ').append(Printable.escape(logger)).append(": ").append(Printable.escape(message));
        if (thrown != null) {
            b.append(" | ").append(Printable.escape(Redaction.text(summary(thrown))));
            if (stackTraces) b.append(System.lineSeparator()).append(Redaction.text(stackTrace(thrown)).stripTrailing());
        }
        return b.append(System.lineSeparator()).toString();
    }

    private static String json(String time, String level, String logger, String message, Throwable thrown) {
        StringBuilder b = new StringBuilder(160).append('{');
        field(b, "time", time).append(',');
        field(b, "level", level).append(',');
        field(b, "logger", logger).append(',');
        field(b, "message", message).append(',');
        field(b, "thread", Thread.currentThread().getName());
        if (thrown != null) {
            b.append(',');
            field(b, "exception", Redaction.text(stackTrace(thrown)).stripTrailing());
        }
        return b.append('}').append('\n').toString();
    }

    /**
     * The level as operators spell it (and slf4j, zap, logrus): error, warn, info, debug, trace.
     * java.util.logging's CONFIG counts as info; System.Logger's TRACE arrives as FINER, slf4j's as FINEST.
     */
    public static String levelName(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) return "error";
        if (v >= Level.WARNING.intValue()) return "warn";
        if (v >= Level.CONFIG.intValue()) return "info";
        if (v >= Level.FINE.intValue()) return "debug";
        return "trace";
    }

    /** {@code java.io.IOException: boom; caused by: java.net.ConnectException: refused}, causes bounded. */
    static String summary(Throwable t) {
        StringBuilder b = new StringBuilder(t.toString());
        Throwable c = t.getCause();
        for (int depth = 0; c != null && c != t && depth < 5; depth++, c = c.getCause()) b.append("; caused by: ").append(c);
        return b.toString();
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        return quote(b, name).append(':').append(value == null ? "null" : quote(new StringBuilder(), value));
    }

    /** A JSON string (RFC 8259): quotes, backslashes and every control character escaped, so the line stays one line. */
    static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // U+2028/2029 are legal in JSON but end a line in JavaScript and some viewers.
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"');
    }
}
