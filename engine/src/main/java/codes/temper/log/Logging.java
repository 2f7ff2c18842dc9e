package codes.temper.log;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.LogManager;

/**
 * The process's logging, set up once for every part of it. Temper's own code logs through
 * {@link System.Logger}, which the JDK hands to java.util.logging; the libraries (fabric8, JGit,
 * Javalin and Jetty, Drools) log through slf4j, which the slf4j-jdk14 binding hands to
 * java.util.logging too. So there is one backend, one handler ({@link LineHandler}) and one line
 * format ({@link LogLines}) for the agent, the controller and the CLI. java.util.logging is in the
 * JDK: no logging framework, configuration file or shutdown hook of its own to ship and keep
 * secure, and {@code ShutdownLogManager} already keeps it working while the agent stands down in
 * its shutdown hook.
 *
 * <p>Levels: {@code codes.temper} at the chosen level (info by default); everything else at warn
 * (a library's info lines are about the library, not the node), or at error when temper's level is
 * error; a logger named with {@code LOGGER=LEVEL} at its own level.
 *
 * <p>A public no-argument constructor makes this class usable as
 * {@code java.util.logging.config.class}: it sets up the defaults (the test JVMs use that).
 */
public final class Logging {

    /** The line format: for people, or for a log pipeline. */
    public enum Format {
        TEXT, JSON;

        /** text | json, any case. */
        public static Format parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new IllegalArgumentException("\"" + s + "\": expected text or json");
            };
        }
    }

    /**
     * One {@code --log-level} setting.
     *
     * @param logger a logger name and those under it ({@code io.fabric8}), or null for temper's own
     */
    public record Setting(String logger, Level level) {

        /** {@code LEVEL} (temper's own loggers) or {@code LOGGER=LEVEL}. */
        public static Setting parse(String s) {
            int eq = s.lastIndexOf('=');
            if (eq < 0) return new Setting(null, Logging.level(s));
            String logger = s.substring(0, eq).trim();
            if (!logger.matches("[A-Za-z_$][\\w$.-]*")) throw new IllegalArgumentException("\"" + logger + "\": not a logger name");
            return new Setting(logger, Logging.level(s.substring(eq + 1)));
        }
    }

    /** Temper's own code: every class under this package logs under its own class name. */
    public static final String TEMPER = "codes.temper";
    public static final Level DEFAULT_LEVEL = Level.INFO;

    /** As java.util.logging.config.class: the defaults. */
    public Logging() {
        configure(Format.TEXT, List.of());
    }

    /** error | warn | info | debug | trace, as operators write them. */
    public static Level level(String s) {
        return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            // FINEST: slf4j's trace arrives as FINEST, System.Logger's as FINER.
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException("\"" + s + "\": expected error, warn, info, debug or trace");
        };
    }

    /**
     * Replaces the whole configuration: one {@link LineHandler} on the root logger, and the
     * levels. Later settings win over earlier ones for the same logger.
     */
    public static void configure(Format format, List<Setting> settings) {
        Level temper = DEFAULT_LEVEL;
        for (Setting s : settings) if (s.logger() == null) temper = s.level();
        Level libraries = temper.intValue() > Level.WARNING.intValue() ? temper : Level.WARNING;
        Properties p = new Properties();
        p.setProperty("handlers", LineHandler.class.getName());
        p.setProperty(".level", libraries.getName());
        p.setProperty(TEMPER + ".level", temper.getName());
        for (Setting s : settings) if (s.logger() != null) p.setProperty(s.logger() + ".level", s.level().getName());
        p.setProperty(LineHandler.class.getName() + ".format", format.name().toLowerCase(Locale.ROOT));
        p.setProperty(LineHandler.class.getName() + ".stackTraces", Boolean.toString(temper.intValue() <= Level.FINE.intValue()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            p.store(bytes, null);
            // java.util.logging's own way in: levels of loggers created later come from these
            // properties too, so no logger has to be held here to keep its level.
            LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(bytes.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
