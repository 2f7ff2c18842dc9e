package codes.temper.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The loop's timing decision, as a function of its state and the time: no thread, no clock. */
class CoalescingTest {
    static final long MS = 1_000_000;
    static final Coalescing.Pacing PACING = new Coalescing.Pacing(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMinutes(5));
    static final long NONE = Coalescing.NEVER;

    static Coalescing.State burst(long first, long last) {
        return new Coalescing.State(3, false, first, last, 0, NONE);
    }

    @Test
    void aBurstWaitsUntilItHasBeenQuietForTheDebounce() {
        assertThat(Coalescing.next(burst(0, 50 * MS), 100 * MS, PACING)).isEqualTo(new Coalescing.Wait(150 * MS));
        assertThat(Coalescing.next(burst(0, 50 * MS), 250 * MS, PACING)).isEqualTo(new Coalescing.Run());
    }

    @Test
    void aBurstThatNeverGoesQuietRunsAtTheMaxDelayAfterItsFirstEvent() {
        // the last event 100 ms ago: quiet would say wait 100 ms more; the first came 1.95 s ago
        assertThat(Coalescing.next(burst(0, 1_850 * MS), 1_950 * MS, PACING)).isEqualTo(new Coalescing.Wait(50 * MS));
        assertThat(Coalescing.next(burst(0, 1_990 * MS), 2_000 * MS, PACING)).isEqualTo(new Coalescing.Run());
        assertThat(Coalescing.due(0, 1_990 * MS, PACING)).isEqualTo(2_000 * MS);
        assertThat(Coalescing.due(0, 100 * MS, PACING)).isEqualTo(300 * MS);
    }

    @Test
    void anUrgentEventRunsAtOnceWithWhateverIsPending() {
        var s = new Coalescing.State(5, true, 0, 10 * MS, 0, NONE);
        assertThat(Coalescing.next(s, 11 * MS, PACING)).isEqualTo(new Coalescing.Run());
    }

    @Test
    void idleTheLoopResyncsAResyncPeriodAfterItsLastPass() {
        var idle = new Coalescing.State(0, false, 0, 0, 1_000 * MS, NONE);
        assertThat(Coalescing.next(idle, 2_000 * MS, PACING)).isEqualTo(new Coalescing.Wait(Duration.ofMinutes(5).toNanos() - 1_000 * MS));
        assertThat(Coalescing.next(idle, 1_000 * MS + Duration.ofMinutes(5).toNanos(), PACING)).isEqualTo(new Coalescing.Resync());
    }

    @Test
    void aRetryIsDueAtItsOwnTimeAndShortensAnyWait() {
        var idle = new Coalescing.State(0, false, 0, 0, 0, 1_000 * MS);
        assertThat(Coalescing.next(idle, 400 * MS, PACING)).isEqualTo(new Coalescing.Wait(600 * MS));
        assertThat(Coalescing.next(idle, 1_000 * MS, PACING)).isEqualTo(new Coalescing.Retry());
        var pending = new Coalescing.State(1, false, 0, 0, 0, 50 * MS);
        assertThat(Coalescing.next(pending, 10 * MS, PACING)).isEqualTo(new Coalescing.Wait(40 * MS));
        assertThat(Coalescing.next(pending, 60 * MS, PACING)).as("counted as an event first, then debounced")
                .isEqualTo(new Coalescing.Retry());
    }

    @Test
    void theClockMayBeNegativeOrWrap() {
        long near = Long.MAX_VALUE - 100 * MS;
        var s = new Coalescing.State(1, false, near, near, 0, NONE);
        assertThat(Coalescing.next(s, near + 50 * MS, PACING)).isEqualTo(new Coalescing.Wait(150 * MS));
        assertThat(Coalescing.next(s, near + 300 * MS, PACING)).as("past the wrap").isEqualTo(new Coalescing.Run());
    }

    @Test
    void aMaxDelayShorterThanTheDebounceIsRefused() {
        assertThatThrownBy(() -> new Coalescing.Pacing(Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
