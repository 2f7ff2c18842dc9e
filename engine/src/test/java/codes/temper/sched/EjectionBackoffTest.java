package codes.temper.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EjectionBackoffTest {
    static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void delaysDoubleUpToTheCapThenItGivesUp() {
        EjectionBackoff b = new EjectionBackoff(5, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(30));
        assertThat(b.onEjection(T)).contains(T.plusSeconds(10));
        assertThat(b.onEjection(T.plusSeconds(20))).contains(T.plusSeconds(40));
        assertThat(b.onEjection(T.plusSeconds(60))).contains(T.plusSeconds(90)); // 40 s capped at 30
        assertThat(b.onEjection(T.plusSeconds(120))).contains(T.plusSeconds(150));
        assertThat(b.gaveUp()).isFalse();
        assertThat(b.onEjection(T.plusSeconds(200))).isEmpty();
        assertThat(b.gaveUp()).isTrue();
    }

    @Test
    void ejectionsOutsideTheWindowAreForgotten() {
        EjectionBackoff b = new EjectionBackoff(3, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10));
        b.onEjection(T);
        b.onEjection(T.plusSeconds(60));
        assertThat(b.onEjection(T.plus(Duration.ofMinutes(20)))).contains(T.plus(Duration.ofMinutes(20)).plusSeconds(10));
        assertThat(b.recentEjections()).isEqualTo(1);
        assertThat(b.gaveUp()).isFalse();
    }

    @Test
    void resetAllowsAttachingAgain() {
        EjectionBackoff b = new EjectionBackoff(1, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10));
        assertThat(b.onEjection(T)).isEmpty();
        assertThat(b.gaveUp()).isTrue();
        b.reset();
        assertThat(b.gaveUp()).isFalse();
        assertThat(b.recentEjections()).isZero();
    }
}
