package codes.temper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code temper controller}'s options (moved here from the controller package with the command). */
class ControllerCommandTest {

    @Test
    void durationsParse() {
        var c = new ControllerCommand.DurationConverter();
        assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.convert("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.convert("PT1H")).isEqualTo(Duration.ofHours(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.convert("0s")).hasMessageContaining("positive");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.convert("ten")).hasMessageContaining("not a duration");
    }
}
