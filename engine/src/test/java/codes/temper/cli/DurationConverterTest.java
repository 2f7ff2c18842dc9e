package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** The one converter of every DURATION option, alone and through the real command line. */
class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "30s, PT30S", "5m, PT5M", "1h, PT1H", "PT30S, PT30S", "pt1m30s, PT1M30S", "' 2s ', PT2S",
            "0s, PT0S", "0ms, PT0S", "PT0S, PT0S"})
    void acceptsShortAndIsoForms(String text, String iso) {
        assertThat(new DurationConverter().convert(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ten", "", "5", "5 s", "1.5s", "5d", "-5s", "s", "P", "PT", "PTxS", "99999999999999999999h"})
    void refusesWhatIsNotADurationWithTheFormsItTakes(String text) {
        assertThatThrownBy(() -> new DurationConverter().convert(text)).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("is not a duration (e.g. 500ms, 30s, 5m, 1h or PT30S)")
                .hasMessageNotContaining("Text cannot be parsed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT-5S", "-PT5S"})
    void refusesNegativeIsoDurations(String text) {
        assertThatThrownBy(() -> new DurationConverter().convert(text)).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("must not be negative");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "0h", "PT0S"})
    void positiveRefusesZeroButTheBaseConverterTakesIt(String zero) {
        assertThat(new DurationConverter().convert(zero)).isZero();
        assertThatThrownBy(() -> new DurationConverter.Positive().convert(zero)).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("must be more than zero");
        assertThat(new DurationConverter.Positive().convert("1ms")).isEqualTo(Duration.ofMillis(1));
    }

    /** picocli names the option; exit 2 is the command line's usage error. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "agent --policies x --poll-interval 0s|--poll-interval|must be more than zero",
            "agent --policies x --resync PT0S|--resync|must be more than zero",
            "agent --policies x --git-timeout 30|--git-timeout|is not a duration",
            "agent --policies x --debounce soon|--debounce|is not a duration",
            "plan --policies x --pods p --node n --git-timeout 500msec|--git-timeout|is not a duration",
            "plan --policies x --pods p --node n --git-timeout 0s|--git-timeout|must be more than zero",
            "controller --resync 0m|--resync|must be more than zero",
            "controller --debounce PTxS|--debounce|is not a duration"})
    void badValueIsAUsageErrorNamingTheOption(String args, String option, String why) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args.split(" "));
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stderr).isEqualTo(2);
        assertThat(stderr).contains("Invalid value for option '" + option + "'").contains(why).doesNotContain("Text cannot be parsed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--debounce=0s", "--max-delay=0ms"})
    void zeroIsAcceptedWhereItMeansAtOnce(String option) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        // Parsing passes; the run then stops at the missing node name, a different error than the option's.
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "agent", "--policies", "x", "--node", "", option);
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("Invalid value").contains("--node (or $NODE_NAME) is required");
        assertThat(code).isEqualTo(2);
    }
}
