package codes.temper.cli;

import codes.temper.log.Logging;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --log-format} and {@code --log-level}, the same on every long-running command (agent,
 * controller): a mixin, so the options are declared once. The command calls {@link #apply()} first
 * thing; until then the defaults {@link Main} set up are in force.
 */
final class LogOptions {

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json", converter = FormatConverter.class,
            completionCandidates = Candidates.LogFormats.class,
            description = "Log lines as text (default) or as JSON objects with time (ISO-8601, UTC), level, logger, message,"
                    + " thread and exception; one line per event either way, on standard error.")
    Logging.Format format;

    @Option(names = "--log-level", paramLabel = "LEVEL|LOGGER=LEVEL", converter = SettingConverter.class,
            description = "error, warn, info (default), debug or trace for temper's own log (debug and trace add stack traces"
                    + " to text lines); LOGGER=LEVEL for one logger and those under it, e.g. io.fabric8=debug (libraries log"
                    + " at warn unless named). Repeatable.")
    List<Logging.Setting> levels = new ArrayList<>();

    void apply() {
        Logging.configure(format, levels);
    }

    static final class FormatConverter implements ITypeConverter<Logging.Format> {
        @Override
        public Logging.Format convert(String v) {
            try {
                return Logging.Format.parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class SettingConverter implements ITypeConverter<Logging.Setting> {
        @Override
        public Logging.Setting convert(String v) {
            try {
                return Logging.Setting.parse(v);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
