package codes.temper.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Every {@code DURATION} option of the command line: {@code 500ms}, {@code 30s}, {@code 5m},
 * {@code 1h} (what operators write in a DaemonSet) or ISO-8601 ({@code PT30S}). Negative is
 * never meaningful. Zero is allowed by this converter, for options where it has a meaning (a
 * debounce of zero applies each event at once); options for which zero would spin a loop or
 * disable a timeout use {@link Positive}. picocli puts the option's name in front of the message
 * ("Invalid value for option '--poll-interval': ...").
 */
public class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h)");
    private static final Pattern ISO = Pattern.compile("[-+]?[pP]");
    static final String EXAMPLES = "e.g. 500ms, 30s, 5m, 1h or PT30S";

    /** For periods and timeouts: zero is refused. */
    public static final class Positive extends DurationConverter {
        @Override
        public Duration convert(String value) {
            Duration d = super.convert(value);
            if (d.isZero()) throw new TypeConversionException("\"" + value + "\": must be more than zero (" + EXAMPLES + ")");
            return d;
        }
    }

    @Override
    public Duration convert(String value) {
        String v = value == null ? "" : value.strip();
        Duration d = parse(v);
        if (d == null) throw new TypeConversionException("\"" + value + "\" is not a duration (" + EXAMPLES + ")");
        if (d.isNegative()) throw new TypeConversionException("\"" + value + "\": must not be negative");
        return d;
    }

    /** The duration {@code v} writes, or null when it is none (or out of range). */
    private static Duration parse(String v) {
        Matcher m = SHORT.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        if (!ISO.matcher(v).lookingAt()) return null;
        try {
            return Duration.parse(v);
        } catch (DateTimeParseException e) {
            // its message ("Text cannot be parsed to a Duration") names neither the option nor a valid form
            return null;
        }
    }
}
